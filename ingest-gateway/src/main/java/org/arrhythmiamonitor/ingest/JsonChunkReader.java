package org.arrhythmiamonitor.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON chunk in one streaming pass, straight into {@code int} arrays, because a chunk is
 * mostly numbers and boxing each into an object tree was the largest cost of the JSON path. The
 * result keeps what the decoder checks in order: scalar fields as their JSON values, sample arrays
 * as {@link Samples} (with the first bad element, reported when that array's turn comes), leads
 * as maps, and anything else as {@link #OTHER}.
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

    /** A samples array: its integers, and the first element that was not one. */
    record Samples(int[] values, int count, int badIndex, String badDetail) {
    }

    /** The object's fields; throws {@link ChunkRejectedException} {@code malformed_json} when it is no JSON object. */
    static Map<String, Object> read(byte[] body) {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw notAnObject("the body must be a JSON object {...}");
            }
            Map<String, Object> fields = new HashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                if (token == JsonToken.START_ARRAY && "samples".equals(name)) {
                    fields.put(name, samples(parser));
                } else if (token == JsonToken.START_ARRAY && "leads".equals(name)) {
                    fields.put(name, leads(parser));
                } else {
                    fields.put(name, value(parser, token));
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw notAnObject("unexpected content after the object");
            }
            return fields;
        } catch (JsonProcessingException e) {
            throw notAnObject(e.getOriginalMessage());
        } catch (IOException e) {
            throw notAnObject(e.getMessage());
        }
    }

    private static ChunkRejectedException notAnObject(String problem) {
        return new ChunkRejectedException("malformed_json", null, "the body is not a JSON object (" + problem + ")");
    }

    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_NUMBER_INT -> parser.getNumberValue();
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
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

    private static Samples samples(JsonParser parser) throws IOException {
        int[] values = new int[256];
        int count = 0;
        int badIndex = -1;
        String badDetail = null;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw notAnObject("unexpected end of input");
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
                problem = "must be an integer in ADC units, got " + other;
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
                throw notAnObject("unexpected end of input");
            }
            if (token != JsonToken.START_OBJECT) {
                leads.add(value(parser, token));
                continue;
            }
            Map<String, Object> lead = new HashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken valueToken = parser.nextToken();
                lead.put(name, valueToken == JsonToken.START_ARRAY && "samples".equals(name) ? samples(parser)
                        : value(parser, valueToken));
            }
            leads.add(lead);
        }
        return leads;
    }
}
