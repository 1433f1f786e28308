package org.arrhythmiamonitor.ingest;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.arrhythmiamonitor.ops.BodyLimit;
import org.arrhythmiamonitor.ops.HttpErrors;
import org.arrhythmiamonitor.ops.HttpJson;
import org.arrhythmiamonitor.ops.QueryParams;
import org.arrhythmiamonitor.wire.v1.DeviceCredential;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioning API, for the administrator's credential only:
 * <ul>
 * <li>{@code POST /v1/devices} {@code {"deviceId": "..."}}: 201 with the device's token, shown
 * this once; 409 when the device already has an active token.
 * <li>{@code POST /v1/devices/{id}/token} (no body, or {@code {}}): a new token replacing the old one (and lifting a
 * revocation); 201 for a new device, 200 for a known one.
 * <li>{@code DELETE /v1/devices/{id}}: revokes the token at once on every gateway; 204, or 404.
 * <li>{@code GET /v1/devices/{id}}: whether the device exists and is revoked, never the token.
 * </ul>
 * A change of a device's credential while another is being written is refused with 409
 * {@code credential_change_in_progress}.
 */
final class DeviceProvisioning {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceProvisioning.class);
    /** The fields of a body that provisions a device. */
    private static final Set<String> CREATE_FIELDS = Set.of("deviceId");

    private final DeviceRegistry registry;
    private final byte[] adminTokenHash;
    /**
     * Devices whose credential is being written. One change per device at a time: the registry
     * applies a credential only once Kafka has it, so two creations of one id at once would each
     * pass the check, each answer 201 with a token, and only the token written last would work.
     * Per gateway: with several gateways, provision a device through one of them.
     */
    private final Set<String> changing = ConcurrentHashMap.newKeySet();

    /** @param adminToken the administrator's bearer token, or null to refuse every request */
    DeviceProvisioning(DeviceRegistry registry, String adminToken) {
        this.registry = registry;
        this.adminTokenHash = adminToken == null ? null : DeviceTokens.hash(adminToken);
    }

    void mount(Router router) {
        // None takes a query parameter: one is refused, not ignored (QueryParams).
        // Two routes each, as for chunks: the administrator's token is checked before a body is read.
        router.post("/v1/devices").handler(this::admin).handler(QueryParams::none).handler(DeviceProvisioning::json);
        router.post("/v1/devices").handler(BodyLimit.of(4096)).handler(this::create);
        router.post("/v1/devices/:deviceId/token").handler(this::admin).handler(QueryParams::none);
        router.post("/v1/devices/:deviceId/token").handler(BodyLimit.of(4096)).handler(this::reissue);
        router.delete("/v1/devices/:deviceId").handler(this::admin).handler(QueryParams::none).handler(this::revoke);
        router.get("/v1/devices/:deviceId").handler(this::admin).handler(QueryParams::none).handler(this::describe);
    }

    private void admin(RoutingContext ctx) {
        if (registry == null) {
            HttpErrors.send(ctx, 404, "provisioning_disabled", null,
                    "this gateway runs with auth=none: devices need no token");
        } else if (adminTokenHash == null) {
            HttpErrors.send(ctx, 403, "provisioning_disabled", null,
                    "no administrator token is configured; start the gateway with --admin-token or "
                            + "GATEWAY_ADMIN_TOKEN");
        } else if (!DeviceTokens.matches(DeviceTokens.bearer(ctx.request().getHeader("Authorization")),
                adminTokenHash)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            HttpErrors.send(ctx, 401, "invalid_admin_token", "Authorization",
                    "provisioning needs 'Authorization: Bearer <administrator token>'");
        } else {
            ctx.next();
        }
    }

    /**
     * A body of another type is refused (415) before it is read; one without a type is read as
     * JSON, as a chunk's is.
     */
    private static void json(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type != null && !"application/json".equals(HttpJson.mediaType(type))) {
            HttpErrors.send(ctx, 415, "unsupported_media_type", "Content-Type",
                    "send {\"deviceId\": \"...\"} with Content-Type: application/json, got "
                            + (type.isBlank() ? "an empty one" : type));
            return;
        }
        ctx.next();
    }

    private void create(RoutingContext ctx) {
        JsonObject body;
        try {
            body = HttpJson.bodyObject(ctx);
        } catch (DecodeException e) {
            HttpErrors.send(ctx, 400, "malformed_json", null, "send {\"deviceId\": \"...\"}: " + e.getMessage());
            return;
        }
        if (!HttpJson.onlyKnownFields(ctx, body, CREATE_FIELDS)) {
            return;
        }
        String deviceId = body.getValue("deviceId") instanceof String s ? s : null;
        if (!validId(ctx, deviceId) || !startChange(ctx, deviceId)) {
            return;
        }
        DeviceCredential existing = registry.find(deviceId);
        if (existing != null && existing.getRevokedAtMs() == 0) {
            changing.remove(deviceId);
            HttpErrors.send(ctx, 409, "device_exists", "deviceId", "device " + deviceId
                    + " already has a token; POST /v1/devices/" + deviceId + "/token replaces it");
            return;
        }
        issue(ctx, deviceId, 201);
    }

    private void reissue(RoutingContext ctx) {
        String deviceId = ctx.pathParam("deviceId");
        if (validId(ctx, deviceId) && HttpJson.nothingInBody(ctx) && startChange(ctx, deviceId)) {
            issue(ctx, deviceId, registry.find(deviceId) == null ? 201 : 200);
        }
    }

    /** Claims the device's credential for one change; answers 409 when another is under way. */
    private boolean startChange(RoutingContext ctx, String deviceId) {
        if (changing.add(deviceId)) {
            return true;
        }
        HttpErrors.send(ctx, 409, "credential_change_in_progress", "deviceId", "another request is changing the "
                + "credential of device " + deviceId + " right now; retry when it has been answered");
        return false;
    }

    private void issue(RoutingContext ctx, String deviceId, int status) {
        Future.fromCompletionStage(registry.issueToken(deviceId), ctx.vertx().getOrCreateContext())
                .onComplete(done -> changing.remove(deviceId))
                .onSuccess(token -> {
                    LOG.info("Issued a token for device {}", deviceId);
                    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                            .putHeader("Cache-Control", "no-store")
                            .end(new JsonObject().put("deviceId", deviceId).put("token", token).encode());
                })
                .onFailure(error -> unavailable(ctx, error));
    }

    private void revoke(RoutingContext ctx) {
        String deviceId = ctx.pathParam("deviceId");
        if (!validId(ctx, deviceId) || !startChange(ctx, deviceId)) {
            return;
        }
        Future.fromCompletionStage(registry.revoke(deviceId), ctx.vertx().getOrCreateContext())
                .onComplete(done -> changing.remove(deviceId))
                .onSuccess(known -> {
                    if (known) {
                        LOG.info("Revoked the token of device {}", deviceId);
                        ctx.response().setStatusCode(204).end();
                    } else {
                        HttpErrors.send(ctx, 404, "unknown_device", "deviceId", "device " + deviceId
                                + " was never provisioned");
                    }
                })
                .onFailure(error -> unavailable(ctx, error));
    }

    private void describe(RoutingContext ctx) {
        String deviceId = ctx.pathParam("deviceId");
        if (!validId(ctx, deviceId)) {
            return;
        }
        DeviceCredential credential = registry.find(deviceId);
        if (credential == null) {
            HttpErrors.send(ctx, 404, "unknown_device", "deviceId", "device " + deviceId + " was never provisioned");
            return;
        }
        JsonObject json = new JsonObject().put("deviceId", deviceId)
                .put("tokenIssuedAt", Instant.ofEpochMilli(credential.getIssuedAtMs()).toString())
                .put("revoked", credential.getRevokedAtMs() > 0);
        if (credential.getRevokedAtMs() > 0) {
            json.put("revokedAt", Instant.ofEpochMilli(credential.getRevokedAtMs()).toString());
        }
        HttpJson.send(ctx, 200, json);
    }

    private static boolean validId(RoutingContext ctx, String deviceId) {
        try {
            ChunkLimits.checkDeviceId(deviceId);
            return true;
        } catch (ChunkRejectedException e) {
            HttpErrors.send(ctx, 400, e.error(), e.field(), e.getMessage());
            return false;
        }
    }

    private static void unavailable(RoutingContext ctx, Throwable error) {
        LOG.warn("Could not store a device credential: {}", error.getMessage());
        ctx.response().putHeader("Retry-After", "1");
        HttpErrors.send(ctx, 503, "kafka_unavailable", null,
                "the credential was not stored because Kafka did not acknowledge it; retry");
    }
}
