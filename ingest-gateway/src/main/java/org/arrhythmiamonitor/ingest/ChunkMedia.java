package org.arrhythmiamonitor.ingest;

import org.arrhythmiamonitor.ops.HttpJson;

/** How a posted chunk is encoded, as its headers say. */
enum ChunkMedia {
    JSON,
    PROTOBUF;

    /**
     * The media a {@code Content-Type} names; a missing one is JSON.
     *
     * @throws ChunkRejectedException (415) for another type, or for a compressed body, which decoded
     *         as it came would be refused as malformed JSON or Protobuf
     */
    static ChunkMedia of(String contentType, String contentEncoding) {
        if (contentEncoding != null && !contentEncoding.isBlank()
                && !"identity".equalsIgnoreCase(contentEncoding.strip())) {
            throw new ChunkRejectedException(415, "unsupported_media_type", "Content-Encoding",
                    "compressed bodies are not accepted (Content-Encoding: " + contentEncoding + "); send the chunk "
                            + "uncompressed, or as " + ChunkProtobufDecoder.MEDIA_TYPE + ", which is compact");
        }
        String media = contentType == null ? "application/json" : HttpJson.mediaType(contentType);
        if (media.equals("application/json")) {
            return JSON;
        }
        if (media.equals(ChunkProtobufDecoder.MEDIA_TYPE) || media.equals("application/protobuf")) {
            return PROTOBUF;
        }
        throw new ChunkRejectedException(415, "unsupported_media_type", null,
                "send chunks as application/json or " + ChunkProtobufDecoder.MEDIA_TYPE + ", got " + contentType);
    }
}
