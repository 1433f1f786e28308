package org.arrhythmiamonitor.alerting.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IP addresses written the one way the JDK and Vert.x print a peer's ({@code 0:0:0:0:0:0:0:1}, not
 * {@code ::1}), so that a configured proxy address and the peer's compare as strings.
 */
public final class IpLiteral {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private IpLiteral() {
    }

    /**
     * The address in the JDK's form, or empty when the text is not an IPv4 or IPv6 literal: a host
     * name is never looked up (a login must not wait on DNS, and a name's addresses change).
     */
    public static Optional<String> canonical(String text) {
        String bare = text.strip();
        if (bare.startsWith("[") && bare.endsWith("]")) {
            bare = bare.substring(1, bare.length() - 1);
        }
        if (!IPV4.matcher(bare).matches() && !IPV6.matcher(bare).matches()) {
            return Optional.empty();
        }
        try {
            // A literal is parsed, not resolved.
            return Optional.of(InetAddress.getByName(bare).getHostAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
