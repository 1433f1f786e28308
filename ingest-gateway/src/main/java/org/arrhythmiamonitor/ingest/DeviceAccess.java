package org.arrhythmiamonitor.ingest;

import com.google.protobuf.ByteString;

/**
 * Who may write a device's stream: with {@code auth=token}, only a request bearing that device's
 * own, unrevoked token; with {@code auth=none}, anyone.
 */
final class DeviceAccess {
    private final DeviceRegistry registry;

    /** @param registry the device credentials, or null when devices do not authenticate */
    DeviceAccess(DeviceRegistry registry) {
        this.registry = registry;
    }

    /** The SHA-256 of the bearer token of an {@code Authorization} header, or null when there is none. */
    static ByteString tokenHash(String authorization) {
        String token = DeviceTokens.bearer(authorization);
        return token == null ? null : ByteString.copyFrom(DeviceTokens.hash(token));
    }

    /**
     * Passes, or throws the 401/403 the device should get.
     *
     * @param tokenHash from {@link #tokenHash}; null when no token was sent
     */
    void check(String deviceId, ByteString tokenHash) {
        if (registry == null) {
            return;
        }
        switch (registry.authenticate(deviceId, tokenHash)) {
            case GRANTED -> {
            }
            case MISSING_TOKEN -> throw new ChunkRejectedException(401, "missing_token", "Authorization",
                    "send the device's token as 'Authorization: Bearer <token>'");
            case INVALID_TOKEN -> throw new ChunkRejectedException(401, "invalid_token", "Authorization",
                    "the token is not one the gateway issued, or it was replaced by a newer one");
            case REVOKED -> throw new ChunkRejectedException(401, "revoked_token", "Authorization",
                    "this device's token was revoked; ask an administrator for a new one");
            case OTHER_DEVICE -> throw new ChunkRejectedException(403, "wrong_device", "deviceId",
                    "the token belongs to another device; a device may write only its own stream");
        }
    }
}
