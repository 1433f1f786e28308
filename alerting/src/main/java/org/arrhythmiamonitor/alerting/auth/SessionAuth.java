package org.arrhythmiamonitor.alerting.auth;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.sstore.LocalSessionStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.arrhythmiamonitor.ops.HttpErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logins and sessions for the dashboard and the API. A session lives in the service's memory and
 * ends after {@code idleTimeout} without a request, and in any case {@code maxAge} after the login,
 * so that a dashboard left open on a ward does not stay signed in for ever. The cookie is
 * {@code HttpOnly} (scripts cannot read it) and {@code SameSite=Strict} (other sites cannot make
 * the browser send it, which is what blocks cross-site request forgery here).
 */
public final class SessionAuth {
    private static final Logger LOG = LoggerFactory.getLogger(SessionAuth.class);
    public static final String COOKIE = "amsession";
    private static final String USER = "user";
    private static final String ROLES = "roles";
    private static final String LOGIN_AT = "loginAt";
    /** Checked for unknown user names too, so that the answer takes as long and does not reveal which names exist. */
    private static final String DECOY_HASH = Passwords.hash(Passwords.random());

    private final Vertx vertx;
    private final Map<String, UserAccount> users = new LinkedHashMap<>();
    private final Duration idleTimeout;
    private final Duration maxAge;
    private final Clock clock;
    private final boolean secureCookie;
    private final LoginThrottle throttle;

    public SessionAuth(Vertx vertx, List<UserAccount> accounts, Duration idleTimeout, Duration maxAge, Clock clock,
            boolean secureCookie) {
        this.vertx = vertx;
        for (UserAccount account : accounts) {
            if (users.put(account.username(), account) != null) {
                throw new IllegalArgumentException("users: '" + account.username() + "' is listed twice");
            }
        }
        this.idleTimeout = idleTimeout;
        this.maxAge = maxAge;
        this.clock = clock;
        this.secureCookie = secureCookie;
        this.throttle = new LoginThrottle(clock);
    }

    /**
     * Puts sessions on {@code /api/*}, the login route, and the check that every other
     * {@code /api} route has a user. Mount before the routes it protects.
     */
    public void mount(Router router) {
        router.route("/api/*").handler(SessionHandler.create(LocalSessionStore.create(vertx))
                .setSessionCookieName(COOKIE)
                .setSessionTimeout(idleTimeout.toMillis())
                .setCookieHttpOnlyFlag(true)
                .setCookieSecureFlag(secureCookie)
                .setCookieSameSite(CookieSameSite.STRICT)
                .setLazySession(true)
                .setNagHttps(false));
        router.post("/api/login").handler(BodyHandler.create().setBodyLimit(4096)).handler(this::login);
        router.route("/api/*").handler(this::requireUser);
        router.post("/api/logout").handler(this::logout);
        router.get("/api/me").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .end(me(ctx.session()).encode()));
    }

    private void login(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException e) {
            HttpErrors.send(ctx, 400, "malformed_json", null, "the body must be {\"username\", \"password\"}");
            return;
        }
        String username = body == null ? null : body.getString("username");
        String password = body == null ? null : body.getString("password");
        if (username == null || password == null) {
            HttpErrors.send(ctx, 400, "missing_field", username == null ? "username" : "password",
                    "the body must be {\"username\", \"password\"}");
            return;
        }
        if (throttle.blocked(username)) {
            ctx.response().putHeader("Retry-After", "60");
            HttpErrors.send(ctx, 429, "too_many_attempts", null,
                    LoginThrottle.MAX_FAILURES + " failed logins for this user within a minute; try again later");
            return;
        }
        UserAccount account = users.get(username);
        vertx.executeBlocking(() -> Passwords.verify(password, account != null ? account.passwordHash() : DECOY_HASH)
                && account != null, false).onComplete(result -> {
                    if (result.failed() || !result.result()) {
                        throttle.failed(username);
                        LOG.info("Failed login for '{}' from {}", username, ctx.request().remoteAddress());
                        HttpErrors.send(ctx, 401, "invalid_credentials", null, "wrong user name or password");
                        return;
                    }
                    throttle.succeeded(username);
                    Session session = ctx.session();
                    // A new id at login, so that a session id planted before it is worth nothing.
                    session.regenerateId();
                    session.put(USER, account.username());
                    session.put(ROLES, String.join(",", account.roles().stream().map(Role::id).sorted().toList()));
                    session.put(LOGIN_AT, clock.millis());
                    LOG.info("'{}' logged in", account.username());
                    ctx.response().putHeader("Content-Type", "application/json").end(me(session).encode());
                });
    }

    private JsonObject me(Session session) {
        return new JsonObject()
                .put("username", session.get(USER))
                .put("roles", new JsonArray(roles(session).stream().sorted().toList()))
                .put("sessionTimeoutSeconds", idleTimeout.toSeconds())
                .put("sessionMaxAgeSeconds", maxAge.toSeconds());
    }

    private void requireUser(RoutingContext ctx) {
        Session session = ctx.session();
        if (session == null || session.get(USER) == null) {
            HttpErrors.send(ctx, 401, "unauthenticated", null,
                    "log in first (POST /api/login); a session ends after " + idleTimeout.toMinutes()
                            + " min without use");
            return;
        }
        Long loginAt = session.get(LOGIN_AT);
        if (loginAt == null || clock.millis() - loginAt > maxAge.toMillis()) {
            session.destroy();
            HttpErrors.send(ctx, 401, "session_expired", null,
                    "sessions end " + maxAge.toHours() + " h after the login; log in again");
            return;
        }
        ctx.next();
    }

    private void logout(RoutingContext ctx) {
        ctx.session().destroy();
        ctx.response().setStatusCode(204).end();
    }

    /** Lets the request through only for users with the role (403 otherwise). */
    public static Handler<RoutingContext> requireRole(Role role) {
        return ctx -> {
            if (roles(ctx.session()).contains(role.id())) {
                ctx.next();
            } else {
                HttpErrors.send(ctx, 403, "forbidden", null, "this needs the " + role.id() + " role");
            }
        };
    }

    /** The user name of the request's session (routes behind {@link #mount} always have one). */
    public static String user(RoutingContext ctx) {
        return ctx.session().get(USER);
    }

    /** When the session's login expires, epoch ms: the live stream closes then. */
    public long expiresAt(RoutingContext ctx) {
        Long loginAt = ctx.session().get(LOGIN_AT);
        return (loginAt == null ? clock.millis() : loginAt) + maxAge.toMillis();
    }

    private static Set<String> roles(Session session) {
        String roles = session == null ? null : session.get(ROLES);
        return roles == null || roles.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(roles.split(",")));
    }

    public int userCount() {
        return users.size();
    }
}
