package org.arrhythmiamonitor.config;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A setting refused for its value. The message names the settings at fault through a function
 * rather than in fixed text, so that a launcher whose flags gave them can name the flags instead:
 * an operator who typed {@code --port 70000} should read about {@code --port}, not about
 * {@code httpPort}, a key they may never have seen.
 */
public final class SettingException extends IllegalArgumentException {
    private final String section;
    private final Function<UnaryOperator<String>, String> problem;
    private final List<String> keys;

    /**
     * @param section whose settings these are, as the message starts: {@code processor},
     *     {@code episode rules}, ...
     * @param problem what is wrong and what is accepted, given how to name a setting by its key;
     *     every setting it speaks of is named through that, none in its own text
     */
    public SettingException(String section, Function<UnaryOperator<String>, String> problem) {
        super(section + ": " + problem.apply(UnaryOperator.identity()));
        this.section = section;
        this.problem = problem;
        List<String> named = new ArrayList<>();
        problem.apply(key -> {
            named.add(key);
            return key;
        });
        this.keys = List.copyOf(named);
    }

    /** One setting and what is wrong with it, e.g. {@code of("gateway", "httpPort", "must be 0-65535, got -1")}. */
    public static SettingException of(String section, String key, String problem) {
        return new SettingException(section, name -> name.apply(key) + " " + problem);
    }

    /** Refuses a port outside 0-65535 (0: any free port). */
    public static void requirePort(String section, String key, int port) {
        requireBetween(section, key, port, 0, 65_535);
    }

    /**
     * Refuses an address to listen on that names none of this machine's: the HTTP server would
     * find out only as it starts (in the demo after the broker's start), in a message that names
     * no setting ("Failed to resolve '999.1.1.1'").
     */
    public static void requireListenAddress(String section, String key, String host) {
        String accepted = "; give one of this machine's addresses, 127.0.0.1 for it alone, or 0.0.0.0 for all";
        if (host == null || host.isBlank()) {
            throw of(section, key, "must name an address to listen on, got an empty one" + accepted);
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw of(section, key, "is '" + host + "', which resolves to no address" + accepted);
        }
        // The server listens on the first address the name resolves to.
        if (ofThisMachine(addresses[0])) {
            return;
        }
        String resolved = host.equals(addresses[0].getHostAddress()) ? "" : " (" + addresses[0].getHostAddress() + ")";
        throw of(section, key, "is '" + host + "'" + resolved + ", which is not an address of this machine" + accepted);
    }

    private static boolean ofThisMachine(InetAddress address) {
        try {
            return address.isAnyLocalAddress() || address.isLoopbackAddress()
                    || NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            // The interfaces could not be listed: the server's bind will tell.
            return true;
        }
    }

    /** Refuses a whole number outside {@code min}-{@code max}. */
    public static void requireBetween(String section, String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw of(section, key, "must be " + min + "-" + max + ", got " + value);
        }
    }

    /** Refuses a value below {@code min}. */
    public static void requireAtLeast(String section, String key, long value, long min) {
        if (value < min) {
            throw of(section, key, "must be at least " + min + ", got " + value);
        }
    }

    public String section() {
        return section;
    }

    /** The keys of the settings at fault, as the message names them in order. */
    public List<String> keys() {
        return keys;
    }

    /** The message without its section, each setting named by {@code name} from its key. */
    public String describe(UnaryOperator<String> name) {
        return problem.apply(name);
    }
}
