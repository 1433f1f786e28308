package org.arrhythmiamonitor.alerting.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.net.HostAndPort;
import org.junit.jupiter.api.Test;

/** The same-origin rule that keeps other sites from acting with a logged-in browser. */
class SessionAuthTest {
    @Test
    void theServicesOwnOriginPassesWhateverWayAProxySpellsIt() {
        assertThat(SessionAuth.sameOrigin("http://localhost:8081", HostAndPort.create("localhost", 8081))).isTrue();
        assertThat(SessionAuth.sameOrigin("https://ward.example", HostAndPort.create("ward.example", -1))).isTrue();
        assertThat(SessionAuth.sameOrigin("https://ward.example", HostAndPort.create("ward.example", 443))).isTrue();
        assertThat(SessionAuth.sameOrigin("http://ward.example", HostAndPort.create("ward.example", 80))).isTrue();
        assertThat(SessionAuth.sameOrigin("https://Ward.Example", HostAndPort.create("ward.example", -1))).isTrue();
        assertThat(SessionAuth.sameOrigin("http://[::1]:8081", HostAndPort.create("[::1]", 8081))).isTrue();
    }

    @Test
    void anotherPortHostOrSchemeDoesNot() {
        assertThat(SessionAuth.sameOrigin("http://localhost:8080", HostAndPort.create("localhost", 8081))).isFalse();
        assertThat(SessionAuth.sameOrigin("https://evil.example", HostAndPort.create("ward.example", -1))).isFalse();
        assertThat(SessionAuth.sameOrigin("null", HostAndPort.create("ward.example", -1))).isFalse();
        assertThat(SessionAuth.sameOrigin("file://x", HostAndPort.create("ward.example", -1))).isFalse();
        assertThat(SessionAuth.sameOrigin("http://localhost:8081", null)).isFalse();
    }

    @Test
    void parallelGuessesCannotPassTheLimitTogether() {
        LoginThrottle throttle = new LoginThrottle(java.time.Clock.systemUTC());
        int allowed = 0;
        for (int i = 0; i < 40; i++) {
            if (throttle.tryLogin("nurse", "10.0.0.1") == null) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(LoginThrottle.MAX_FAILURES);
        assertThat(throttle.tryLogin("nurse", "10.0.0.1")).isEqualTo(LoginThrottle.Limit.USER_AT_ADDRESS);
        assertThat(throttle.tryLogin("nurse", "10.0.0.2")).as("another address").isNull();
    }

    @Test
    void aLoginTheAddressLimitTurnsAwayDoesNotUseUpTheUserNamesAttempts() {
        LoginThrottle throttle = new LoginThrottle(java.time.Clock.systemUTC());
        for (int i = 0; i < LoginThrottle.MAX_PER_ADDRESS; i++) {
            assertThat(throttle.tryLogin("guess" + i, "10.0.0.9")).isNull();
        }
        for (int i = 0; i < 10; i++) {
            assertThat(throttle.tryLogin("nurse", "10.0.0.9")).isEqualTo(LoginThrottle.Limit.ADDRESS);
        }
        // The address's attempts were never counted against the name: a success there clears one.
        throttle.succeeded("guess0", "10.0.0.9");
        assertThat(throttle.tryLogin("nurse", "10.0.0.9")).as("not locked by refusals it never had checked").isNull();
        assertThat(throttle.tryLogin("nurse", "10.0.0.9")).isEqualTo(LoginThrottle.Limit.ADDRESS);
    }

    @Test
    void theLoginLimitsCountTheAddressTheTrustedProxySawNotOneTheClientWrote() {
        java.util.Set<String> proxies = java.util.Set.of("10.0.0.5", IpLiteral.canonical("::1").orElseThrow());
        // A proxy appends the address it got the request from after whatever the client sent.
        assertThat(SessionAuth.clientAddress(proxies, "10.0.0.5", "10.9.9.9, 192.168.1.50"))
                .isEqualTo("192.168.1.50");
        assertThat(SessionAuth.clientAddress(proxies, "10.0.0.5", "192.168.1.50")).isEqualTo("192.168.1.50");
        assertThat(SessionAuth.clientAddress(proxies, "0:0:0:0:0:0:0:1", "192.168.1.50, 10.0.0.5"))
                .as("behind two trusted proxies, IPv6 written in short form in the settings").isEqualTo("192.168.1.50");
        assertThat(SessionAuth.clientAddress(proxies, "192.168.1.50", "10.9.9.9"))
                .as("a client's own header, sent straight").isEqualTo("192.168.1.50");
        assertThat(SessionAuth.clientAddress(proxies, "10.0.0.5", null)).isEqualTo("10.0.0.5");
    }

    @Test
    void proxyAddressesAreLiteralsInTheFormPeersArePrintedIn() {
        assertThat(IpLiteral.canonical("::1")).contains("0:0:0:0:0:0:0:1");
        assertThat(IpLiteral.canonical("[2001:db8::5]")).contains("2001:db8:0:0:0:0:0:5");
        assertThat(IpLiteral.canonical(" 10.0.0.5 ")).contains("10.0.0.5");
        assertThat(IpLiteral.canonical("proxy.ward.example")).as("never looked up").isEmpty();
        assertThat(IpLiteral.canonical("10.0.0")).isEmpty();
        assertThat(IpLiteral.canonical("300.1.1.1")).isEmpty();
    }
}
