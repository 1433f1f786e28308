package org.arrhythmiamonitor.alerting.auth;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.sstore.LocalSessionStore;
import io.vertx.core.net.HostAndPort;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.arrhythmiamonitor.ops.BodyLimit;
import org.arrhythmiamonitor.ops.HttpErrors;
import org.arrhythmiamonitor.ops.HttpJson;
import org.arrhythmiamonitor.ops.QueryParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logins and sessions for the dashboard and the API. A session lives in the service's memory and
 * ends after {@code idleTimeout} without a request (a dashboard with the live list open is in use),
 * and in any case {@code maxAge} after the login, so that a dashboard left on a ward does not stay
 * signed in for ever. The cookie is {@code HttpOnly} (scripts cannot read it) and
 * {@code SameSite=Strict}; what blocks cross-site request forgery is that every change must be a
 * JSON POST from this origin ({@link #sameOriginJson}).
 */
public final class SessionAuth implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionAuth.class);
    public static final String COOKIE = "amsession";
    private static final String USER = "user";
    /** The fields of a login body. */
    private static final Set<String> LOGIN_FIELDS = Set.of("username", "password");
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
    private final LocalSessionStore store;
    private final WorkerExecutor verifier;
    private final Set<String> trustedProxies;
    private final AtomicInteger verifying = new AtomicInteger();
    /** Password checks running or queued; beyond this a login is refused at once. */
    private static final int MAX_VERIFYING = 8;

    public SessionAuth(Vertx vertx, List<UserAccount> accounts, Duration idleTimeout, Duration maxAge, Clock clock,
            boolean secureCookie, Set<String> trustedProxies) {
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
        this.store = LocalSessionStore.create(vertx);
        this.verifier = vertx.createSharedWorkerExecutor("alerting-login", 2);
        // In IpLiteral's form already (AlertingConfig checks and writes them so).
        this.trustedProxies = Set.copyOf(trustedProxies);
    }

    /**
     * Stops the session store's expiry timer and lets the login pool's threads go: a service
     * restarted inside the same Vert.x would otherwise leave both behind.
     */
    @Override
    public void close() {
        store.close();
        verifier.close();
    }

    /**
     * Puts sessions on {@code /api/*}, the login route, and the check that every other
     * {@code /api} route has a user. Mount before the routes it protects.
     */
    public void mount(Router router) {
        router.route("/api/*").handler(ctx -> {
            // Patient data must not linger in caches.
            ctx.response().putHeader("Cache-Control", "no-store");
            ctx.next();
        });
        router.post("/api/*").handler(SessionAuth::sameOriginJson);
        router.route("/api/*").handler(SessionHandler.create(store)
                .setSessionCookieName(COOKIE)
                .setSessionTimeout(idleTimeout.toMillis())
                .setCookieHttpOnlyFlag(true)
                .setCookieSecureFlag(secureCookie)
                .setCookieSameSite(CookieSameSite.STRICT)
                .setLazySession(true)
                .setNagHttps(false));
        // None of these takes a query parameter: one is refused, not ignored (QueryParams).
        router.post("/api/login").handler(BodyLimit.of(4096)).handler(QueryParams::none).handler(this::login);
        router.route("/api/*").handler(this::requireUser);
        router.post("/api/logout").handler(QueryParams::none).handler(this::logout);
        router.get("/api/me").handler(QueryParams::none).handler(ctx -> HttpJson.send(ctx, 200, me(ctx.session())));
    }

    /**
     * Every change is a JSON POST from this origin. A browser sends a cross-origin JSON POST only
     * after a CORS preflight, which this service never grants, and it names the page's origin in
     * {@code Origin}; so another site, another port of the same host included, cannot make a
     * logged-in browser acknowledge an alert (SameSite cookies alone would allow a sibling port).
     */
    private static void sameOriginJson(RoutingContext ctx) {
        String origin = ctx.request().getHeader("Origin");
        if (origin != null && !sameOrigin(origin, ctx.request().authority())) {
            HttpErrors.send(ctx, 403, "cross_origin", null, "requests from " + origin + " are not accepted");
            return;
        }
        String type = ctx.request().getHeader("Content-Type");
        if (type == null || !"application/json".equals(HttpJson.mediaType(type))) {
            HttpErrors.send(ctx, 415, "unsupported_media_type", null,
                    "send Content-Type: application/json (a body of {} will do)");
            return;
        }
        ctx.next();
    }

    /**
     * Whether the browser's {@code Origin} names the host and port the request was sent to. Host
     * names compare without case; a port left out means the scheme's default on either side (a
     * TLS proxy in front may send {@code Host: name} or {@code Host: name:443}).
     */
    static boolean sameOrigin(String origin, HostAndPort authority) {
        if (authority == null) {
            return false;
        }
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            return false;
        }
        String scheme = uri.getScheme();
        if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
            return false;
        }
        int defaultPort = "https".equals(scheme) ? 443 : 80;
        int originPort = uri.getPort() < 0 ? defaultPort : uri.getPort();
        int requestPort = authority.port() < 0 ? defaultPort : authority.port();
        String originHost = uri.getHost().replaceAll("^\\[|\\]$", "");
        String requestHost = authority.host().replaceAll("^\\[|\\]$", "");
        return originHost.equalsIgnoreCase(requestHost) && originPort == requestPort;
    }

    /**
     * The address a login comes from: the peer, or, when the peer is one of the configured
     * trusted proxies, the last address in its {@code X-Forwarded-For} that is not one of them.
     * Each proxy appends the address it got the request from, after whatever the client sent, so
     * only the entries from the right up to the first untrusted one can be believed: a client that
     * sends its own header must not pick the address its failed logins count against.
     */
    static String clientAddress(Set<String> trustedProxies, String peer, String forwarded) {
        String client = IpLiteral.canonical(peer).orElse(peer);
        if (forwarded == null || !trustedProxies.contains(client)) {
            return client;
        }
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (hop.isEmpty()) {
                continue;
            }
            client = IpLiteral.canonical(hop).orElse(hop);
            if (!trustedProxies.contains(client)) {
                return client;
            }
        }
        return client;
    }

    private void login(RoutingContext ctx) {
        JsonObject body;
        try {
            body = HttpJson.bodyObject(ctx);
        } catch (DecodeException e) {
            HttpErrors.send(ctx, 400, "malformed_json", null, "the body must be {\"username\", \"password\"}: "
                    + e.getMessage());
            return;
        }
        if (!HttpJson.onlyKnownFields(ctx, body, LOGIN_FIELDS)) {
            return;
        }
        String username = body.getValue("username") instanceof String name ? name : null;
        String password = body.getValue("password") instanceof String secret ? secret : null;
        if (username == null || password == null) {
            HttpErrors.send(ctx, 400, "missing_field", username == null ? "username" : "password",
                    "the body must be {\"username\", \"password\"}");
            return;
        }
        // Per user name and address (a guesser elsewhere cannot lock the on-call clinician out), and
        // per address (one address cannot try a password on every name). Counted before the check,
        // so that parallel guesses cannot all pass a count not yet updated.
        String address = clientAddress(trustedProxies, ctx.request().remoteAddress().hostAddress(),
                ctx.request().getHeader("X-Forwarded-For"));
        // Busy first: a login turned away unchecked is no failed attempt, and must not count
        // towards the limits of a clinician told to try again in a second.
        if (verifying.incrementAndGet() > MAX_VERIFYING) {
            verifying.decrementAndGet();
            ctx.response().putHeader("Retry-After", "1");
            HttpErrors.send(ctx, 503, "busy", null, "too many logins at once; try again in a second");
            return;
        }
        LoginThrottle.Limit full = throttle.tryLogin(username, address);
        if (full != null) {
            verifying.decrementAndGet();
            ctx.response().putHeader("Retry-After", "60");
            HttpErrors.send(ctx, 429, "too_many_attempts", null, full == LoginThrottle.Limit.ADDRESS
                    ? "too many failed logins from this address within a minute; try again later"
                    : "too many failed logins for this user name from this address within a minute; try again later");
            return;
        }
        UserAccount account = users.get(username);
        // On a small pool of its own: a flood of logins must not starve the service's other blocking work.
        verifier.executeBlocking(() -> Passwords.verify(password,
                account != null ? account.passwordHash() : DECOY_HASH) && account != null, false).onComplete(result -> {
                    verifying.decrementAndGet();
                    if (result.failed() || !result.result()) {
                        LOG.info("Failed login for '{}' from {}", printable(username), ctx.request().remoteAddress());
                        HttpErrors.send(ctx, 401, "invalid_credentials", null, "wrong user name or password");
                        return;
                    }
                    throttle.succeeded(username, address);
                    Session session = ctx.session();
                    // A new id at login, so that a session id planted before it is worth nothing.
                    session.regenerateId();
                    session.put(USER, account.username());
                    session.put(ROLES, String.join(",", account.roles().stream().map(Role::id).sorted().toList()));
                    session.put(LOGIN_AT, clock.millis());
                    LOG.info("'{}' logged in", account.username());
                    HttpJson.send(ctx, 200, me(session));
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
        if (pastMaxAge(session)) {
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

    /**
     * Whether the request's session still holds: not logged out, not idle past its timeout, not
     * past its maximum age. A live stream asks this now and then and closes when it no longer does;
     * while it is open the session counts as in use.
     */
    public Supplier<Future<Boolean>> validity(RoutingContext ctx) {
        String id = ctx.session().id();
        return () -> store.get(id).compose(session -> {
            if (session == null || session.get(USER) == null) {
                return Future.succeededFuture(false);
            }
            if (pastMaxAge(session)) {
                return Future.succeededFuture(false);
            }
            // A dashboard showing the live list is in use: it keeps its session, up to the maximum age.
            session.setAccessed();
            return store.put(session).map(true);
        });
    }

    /** A user name as typed, safe for one log line. */
    private static String printable(String value) {
        String cut = value.length() > 64 ? value.substring(0, 64) + "..." : value;
        return cut.replaceAll("[^\\x20-\\x7E]", "?");
    }

    private static Set<String> roles(Session session) {
        String roles = session == null ? null : session.get(ROLES);
        return roles == null || roles.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(roles.split(",")));
    }

    /** Logged in longer ago than the maximum age (or without a login time). */
    private boolean pastMaxAge(Session session) {
        Long loginAt = session.get(LOGIN_AT);
        return loginAt == null || clock.millis() - loginAt > maxAge.toMillis();
    }
}
