package org.arrhythmiamonitor.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reads a JSON chunk in one streaming pass, straight into {@code int} arrays, because a chunk is
 * mostly numbers and boxing each into an object tree was the largest cost of the JSON path. The
 * result keeps what the decoder checks in order: scalar fields as their JSON values (integers as
 * Integer, Long or BigInteger, fractions as BigDecimal or, beyond it, {@link OutOfRange}, so no
 * number is rounded before it is checked), sample arrays as {@link Samples} (with the first bad
 * element, reported when that array's turn comes), leads as maps, and anything else as
 * {@link #OTHER}.
 */
final class JsonChunkReader {
    /** An array or object where the chunk format expects something else. */
    static final Object OTHER = new Object() {
        @Override
        public String toString() {
            return "an array or object";
        }
    };
    private static final JsonFactory JSON = JsonFactory.builder().build();

    /**
     * A fraction whose exponent no {@link BigDecimal} holds ({@code 1e9999999999}): valid JSON, out
     * of range for every field, and kept as written so that the message can show it.
     */
    record OutOfRange(String text) {
    }

    /** A samples array: its integers, and the first element that was not one. */
    record Samples(int[] values, int count, int badIndex, String badDetail) {
    }

    /**
     * The object's fields; throws {@link ChunkRejectedException} {@code malformed_json} when it is no
     * JSON object, carrying the chunk's {@code seq} when that was read before the error.
     */
    static Map<String, Object> read(byte[] body) {
        Map<String, Object> fields = new HashMap<>();
        // A number that ends the input may have been cut short, so seq is vouched for only once
        // some character follows it.
        long completeSeq = -1;
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw malformed("the body must be a JSON object {...}");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                if (token == JsonToken.START_ARRAY && "samples".equals(name)) {
                    put(fields, "", name, samples(parser));
                } else if (token == JsonToken.START_ARRAY && "leads".equals(name)) {
                    put(fields, "", name, leads(parser));
                } else {
                    Object value = value(parser, token);
                    put(fields, "", name, value);
                    if ("seq".equals(name) && parser.currentLocation().getByteOffset() < body.length) {
                        completeSeq = exactLong(value).orElse(-1);
                    }
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw malformed("there is more after the JSON object");
            }
            return fields;
        } catch (JsonProcessingException e) {
            throw malformed("the body is not valid JSON: " + reason(e)).withSeq(completeSeq);
        } catch (ChunkRejectedException e) {
            throw e.withSeq(completeSeq);
        } catch (IOException e) {
            throw malformed("the body could not be read: " + e.getMessage());
        }
    }

    /**
     * Refuses a field sent twice: the chunk would silently be whichever copy came last, as a
     * misspelt field would silently leave its default.
     */
    private static void put(Map<String, Object> fields, String pathPrefix, String name, Object value) {
        if (fields.containsKey(name)) {
            throw ChunkLimits.invalid(pathPrefix + name, "is sent more than once; send each field once");
        }
        fields.put(name, value);
    }

    private static ChunkRejectedException malformed(String detail) {
        return new ChunkRejectedException("malformed_json", null, detail);
    }

    /**
     * The parser's reason and where, without the parser settings it suggests ("enable
     * JsonReadFeature...") and its own source description, which mean nothing to a device.
     */
    private static String reason(JsonProcessingException e) {
        String reason = e.getOriginalMessage();
        int internals = indexOfEither(reason, "`", "[Source");
        if (internals >= 0) {
            reason = reason.substring(0, Math.max(0, Math.max(reason.lastIndexOf(": ", internals),
                    reason.lastIndexOf(" (", internals))));
        }
        reason = reason.isEmpty() ? "unreadable" : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
        JsonLocation where = e.getLocation();
        return where == null ? reason : reason + " at line " + where.getLineNr() + ", column " + where.getColumnNr();
    }

    private static int indexOfEither(String text, String a, String b) {
        int i = text.indexOf(a);
        int j = text.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    /** A JSON value as a long when it is a whole number a long holds ({@code 3.0} is); empty otherwise. */
    static OptionalLong exactLong(Object value) {
        if (value instanceof Integer || value instanceof Long) {
            return OptionalLong.of(((Number) value).longValue());
        }
        if (value instanceof BigInteger big && big.bitLength() < Long.SIZE) {
            return OptionalLong.of(big.longValue());
        }
        if (value instanceof BigDecimal decimal) {
            try {
                return OptionalLong.of(decimal.longValueExact());
            } catch (ArithmeticException notWholeOrTooLarge) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }

    /** A field's value as the device sent it, for error messages: strings in quotes, numbers as written. */
    static String describe(Object value) {
        if (value instanceof OutOfRange outOfRange) {
            return outOfRange.text();
        }
        return value == OTHER ? OTHER.toString() : Json.encode(value);
    }

    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_NUMBER_INT -> parser.getNumberValue();
            case VALUE_NUMBER_FLOAT -> decimal(parser);
            case VALUE_STRING -> parser.getText();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> {
                parser.skipChildren();
                yield OTHER;
            }
        };
    }

    /** Jackson parses a number when it is asked for, and reports one beyond BigDecimal as a NumberFormatException. */
    private static Object decimal(JsonParser parser) throws IOException {
        try {
            return parser.getDecimalValue();
        } catch (NumberFormatException exponentOverflow) {
            return new OutOfRange(parser.getText());
        }
    }

    private static Samples samples(JsonParser parser) throws IOException {
        int[] values = new int[256];
        int count = 0;
        int badIndex = -1;
        String badDetail = null;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw malformed("the body is not valid JSON: it ends inside an array");
            }
            int value = 0;
            String problem = null;
            if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT) {
                value = parser.getIntValue();
            } else if (token == JsonToken.VALUE_NUMBER_INT) {
                BigInteger big = parser.getBigIntegerValue();
                problem = "is " + big + ", outside the 32-bit integer range";
            } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
                double d = parser.getDoubleValue();
                if (!Double.isFinite(d) || d != Math.rint(d)) {
                    problem = "must be an integer in ADC units, got " + d;
                } else if (d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
                    problem = "is " + d + ", outside the 32-bit integer range";
                } else {
                    value = (int) d;
                }
            } else {
                Object other = value(parser, token);
                problem = "must be an integer in ADC units, got " + describe(other);
            }
            if (problem != null && badIndex < 0) {
                badIndex = count;
                badDetail = problem;
            }
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = value;
        }
        return new Samples(values, count, badIndex, badDetail);
    }

    private static List<Object> leads(JsonParser parser) throws IOException {
        List<Object> leads = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw malformed("the body is not valid JSON: it ends inside an array");
            }
            if (token != JsonToken.START_OBJECT) {
                leads.add(value(parser, token));
                continue;
            }
            Map<String, Object> lead = new HashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken valueToken = parser.nextToken();
                put(lead, "leads[" + leads.size() + "].", name, valueToken == JsonToken.START_ARRAY
                        && "samples".equals(name) ? samples(parser) : value(parser, valueToken));
            }
            leads.add(lead);
        }
        return leads;
    }
}
