package org.arrhythmiamonitor.ingest;

import com.google.protobuf.ByteString;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's WebSocket, {@code /v1/devices/{id}/stream}: each text message is a JSON chunk and
 * each binary message a Protobuf chunk, exactly as the HTTP bodies; each gets one JSON answer
 * carrying the HTTP status the POST would have got ({@code {"seq", "status", ...}}). Answers come
 * in the order the chunks were sent. The token is checked when the socket opens and again for
 * every chunk, so a revocation also ends an open stream.
 *
 * <p>Backpressure: with {@code maxInFlight} chunks of this socket waiting for Kafka, the gateway
 * stops reading it; TCP flow control then holds the device back until Kafka catches up.
 *
 * <p>A message over {@code maxMessageBytes} ends the stream with close code 1009 (message too big)
 * and the limit as reason: its frames cannot be skipped to read the next message reliably. A
 * gateway shutting down answers the chunks it has read and closes with 1001.
 *
 * <p>A stream idle for the gateway's idle timeout (no frame either way, pings included) is closed
 * with 1001 and the reason, just before the server's own idle timeout would drop the connection
 * without a close frame (the device would see 1006, abnormal closure, and no reason).
 */
final class DeviceStream {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceStream.class);
    private final ServerWebSocket socket;
    private final String deviceId;
    /** SHA-256 of the token the socket was opened with, hashed once, not per chunk. */
    private final ByteString tokenHash;
    private final DeviceAccess access;
    private final ChunkJsonDecoder json;
    private final ChunkProtobufDecoder protobuf;
    private final ChunkIngest ingest;
    private final IngestMetrics metrics;
    private final int maxInFlight;
    private final long maxMessageBytes;
    private final long idleTimeoutMs;
    /** When a frame last came or an answer last went, in the event loop's clock. */
    private long lastTrafficMs = System.nanoTime() / 1_000_000;
    /** The idle check's timer, cancelled at the close: left, it held the closed stream and its connection. */
    private long idleTimer = -1;
    private int inFlight;
    /** Set when a message over the limit ends the stream: no message after it is taken. */
    private boolean ending;
    /** Told to go away already ({@link #goAway}). */
    private boolean goingAway;
    /** The event loop the socket runs on (the stream is made there). */
    private final Context context = Vertx.currentContext();
    /** The previous chunk's answer; each answer waits for it, so answers keep the chunks' order. */
    private Future<Void> previousAnswer = Future.succeededFuture();

    DeviceStream(ServerWebSocket socket, String deviceId, ByteString tokenHash, DeviceAccess access,
            ChunkJsonDecoder json, ChunkProtobufDecoder protobuf, ChunkIngest ingest, IngestMetrics metrics,
            int maxInFlight, long maxMessageBytes, long idleTimeoutMs) {
        this.socket = socket;
        this.deviceId = deviceId;
        this.tokenHash = tokenHash;
        this.access = access;
        this.json = json;
        this.protobuf = protobuf;
        this.ingest = ingest;
        this.metrics = metrics;
        this.maxInFlight = maxInFlight;
        this.maxMessageBytes = maxMessageBytes;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /**
     * @param open the gateway's open streams: this one is in it from its start until its socket
     *        closes, so that a shutdown can tell it to go away ({@link #goAway})
     */
    void start(Set<DeviceStream> open) {
        metrics.webSockets.incrementAndGet();
        open.add(this);
        socket.closeHandler(v -> {
            context.owner().cancelTimer(idleTimer);
            metrics.webSockets.decrementAndGet();
            open.remove(this);
        });
        // Vert.x decodes a text message's bad UTF-8 as U+FFFD, which no chunk holds.
        socket.textMessageHandler(text -> accept(Buffer.buffer(text), false, text.indexOf('\uFFFD') >= 0));
        socket.binaryMessageHandler(bytes -> accept(bytes, true, false));
        socket.exceptionHandler(this::onError);
        // Every frame, pings and continuations too, as the server's idle timeout counts them.
        socket.frameHandler(frame -> lastTrafficMs = nowMs());
        watchIdle();
    }

    private static long nowMs() {
        return System.nanoTime() / 1_000_000;
    }

    /**
     * Closes the stream with a reason once it has been idle for a little less than the idle
     * timeout: one timer per idle period, set again for what is left when traffic came meanwhile.
     */
    private void watchIdle() {
        long margin = Math.min(1000, idleTimeoutMs / 10);
        long left = lastTrafficMs + idleTimeoutMs - margin - nowMs();
        if (left > 0) {
            idleTimer = context.owner().setTimer(left, id -> {
                if (!socket.isClosed()) {
                    watchIdle();
                }
            });
        } else if (inFlight == 0 && !ending && !socket.isClosed()) {
            // With answers still to come (Kafka slow) the stream is not idle; the server's
            // timeout ends it if they do not come in time.
            ending = true;
            socket.close((short) WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "idle: no chunk, ping or answer "
                    + "for the gateway's idle timeout of " + idleTimeoutMs / 1000 + " s; connect again to send more");
        } else if (!socket.isClosed()) {
            idleTimer = context.owner().setTimer(margin, id -> watchIdle());
        }
    }

    /**
     * The gateway is shutting down (SIGTERM): no message after now is taken, the answers to those
     * read before go out, then the close says why (1001, going away), so the device sends the chunks
     * it has no answer to again, to the gateway that takes over. Left to the server's shutdown, the
     * socket closed at once with a bare 1000 and the answers to chunks stored were lost with it.
     * Runs on the socket's context; the future completes once the close is sent (a device that
     * never answers it must not hold the shutdown for the close's own timeout).
     */
    Future<Void> goAway() {
        Promise<Void> gone = Promise.promise();
        context.runOnContext(v -> {
            if (goingAway) {
                gone.complete();
                return;
            }
            goingAway = true;
            ending = true;
            previousAnswer.onComplete(answered -> {
                if (!socket.isClosed()) {
                    socket.close((short) WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(),
                            "the gateway is shutting down; send the chunks not answered again");
                }
                gone.complete();
            });
        });
        return gone.future();
    }

    /**
     * Netty refuses a frame over the limit and Vert.x a message whose frames add up to more (an
     * IllegalStateException, the only one Vert.x reports on a socket's inbound side); both drop the
     * message without an answer.
     *
     * <p>A frame Netty refuses reaches Vert.x as a channel exception, and Vert.x closes the
     * connection as soon as this handler returns (a bare close, 1000 to the device): the 1009 must
     * go out now, and answers still pending go with the socket; the device's retries of those
     * chunks are answered as duplicates. A message Vert.x refuses leaves the connection open, so
     * the close waits for the answers to the chunks before it (at most Kafka's delivery timeout).
     * Messages after it are not taken meanwhile: their answers would come after the close, so they
     * end the same way as after a refused frame, sent to nobody.
     */
    private void onError(Throwable error) {
        boolean frameTooBig = error instanceof CorruptedWebSocketFrameException corrupt
                && WebSocketCloseStatus.MESSAGE_TOO_BIG.equals(corrupt.closeStatus());
        boolean messageTooBig = error instanceof IllegalStateException;
        if ((frameTooBig || messageTooBig) && !ending && !socket.isClosed()) {
            ending = true;
            metrics.rejected("payload_too_large");
            if (frameTooBig) {
                closeTooBig();
            } else {
                previousAnswer.onComplete(v -> closeTooBig());
            }
        } else if (error instanceof CorruptedWebSocketFrameException corrupt && !frameTooBig && !socket.isClosed()) {
            // A frame against the protocol (unmasked, a reserved opcode, a data frame inside a
            // fragmented message): as with a frame over the limit, the connection ends as this
            // handler returns, so its close code and reason go out now, and the device hears why.
            metrics.rejected("websocket_protocol_error");
            LOG.info("WebSocket of device {}: {}", deviceId, error.toString());
            socket.close((short) corrupt.closeStatus().code(), "WebSocket protocol error: " + reason(corrupt));
        } else if (!frameTooBig && !messageTooBig) {
            // A broken connection: the device's business, one line for the operator.
            LOG.info("WebSocket of device {}: {}", deviceId, error.toString());
        }
    }

    /** The error's message as a close reason: at most 123 bytes of UTF-8, as a close frame allows. */
    private static String reason(Throwable error) {
        String message = String.valueOf(error.getMessage());
        return message.length() > 80 ? message.substring(0, 80) : message;
    }

    private void closeTooBig() {
        if (!socket.isClosed()) {
            socket.close((short) WebSocketCloseStatus.MESSAGE_TOO_BIG.code(),
                    "message over the limit of " + maxMessageBytes + " bytes; send shorter chunks");
        }
    }

    /** @param badUtf8 a text message that was not valid UTF-8 */
    private void accept(Buffer message, boolean binary, boolean badUtf8) {
        if (ending) {
            return;
        }
        metrics.requestBytes.record(message.length());
        Future<Reply> answer;
        long[] seq = {-1};
        try {
            try {
                access.check(deviceId, tokenHash);
            } catch (ChunkRejectedException refused) {
                // The token is checked first, so a revoked device cannot keep its stream open with
                // chunks that fail to decode; the answer still names the chunk, as every other does.
                throw refused.withSeq(seqOf(message, binary));
            }
            if (badUtf8) {
                throw new ChunkRejectedException("malformed_json", null, "the text message is not valid UTF-8 (or "
                        + "holds U+FFFD, which no chunk does); a Protobuf chunk goes in a binary message");
            }
            SampleChunk chunk = decode(message, binary);
            seq[0] = chunk.getSeq();
            answer = ingest.ingest(chunk).map(ack -> new Reply(ack.status(), ack.toText(true)));
        } catch (ChunkRejectedException e) {
            seq[0] = e.seq();
            answer = Future.failedFuture(e);
        }
        if (++inFlight >= maxInFlight) {
            socket.pause();
        }
        Future<Reply> outcome = answer.recover(error -> Future.succeededFuture(rejection(error, seq[0])));
        previousAnswer = previousAnswer.transform(v -> outcome).compose(reply -> {
            if (--inFlight < maxInFlight) {
                socket.resume();
            }
            if (socket.isClosed()) {
                return Future.succeededFuture();
            }
            if (reply.status() == 401) {
                lastTrafficMs = nowMs();
                return socket.writeTextMessage(reply.text()).compose(v -> socket.close((short) 1008, "unauthorized"));
            }
            lastTrafficMs = nowMs();
            return socket.writeTextMessage(reply.text());
        }).recover(error -> Future.succeededFuture());
    }

    private SampleChunk decode(Buffer message, boolean binary) {
        return binary
                ? protobuf.decode(deviceId, message, System.currentTimeMillis())
                : json.decode(deviceId, message, System.currentTimeMillis());
    }

    /**
     * The seq of a message refused before it was decoded, as far as the decoder can read it; -1
     * when it cannot. Only refused tokens come here, and the socket closes after the first one.
     */
    private long seqOf(Buffer message, boolean binary) {
        try {
            return decode(message, binary).getSeq();
        } catch (ChunkRejectedException e) {
            return e.seq();
        }
    }

    /** An answer and the status it carries. */
    private record Reply(int status, String text) {
    }

    /** @param seq the chunk's seq, or -1 when it could not be read (the answer then has none) */
    private Reply rejection(Throwable error, long seq) {
        ChunkRejectedException e = error instanceof ChunkRejectedException r ? r
                : new ChunkRejectedException(500, "internal_error", null, String.valueOf(error.getMessage()));
        metrics.rejected(e.error());
        JsonObject reply = new JsonObject();
        if (seq >= 0) {
            reply.put("seq", seq);
        }
        reply.put("status", e.status()).put("error", e.error());
        if (e.field() != null) {
            reply.put("field", e.field());
        }
        reply.put("detail", e.getMessage());
        if (e.status() == 503) {
            reply.put("retryAfterS", 1);
        }
        return new Reply(e.status(), reply.encode());
    }
}
