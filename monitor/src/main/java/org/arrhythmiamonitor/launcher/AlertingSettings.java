package org.arrhythmiamonitor.launcher;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.arrhythmiamonitor.alerting.auth.Passwords;
import org.arrhythmiamonitor.alerting.auth.Role;
import org.arrhythmiamonitor.alerting.auth.UserAccount;
import org.arrhythmiamonitor.config.StrictJson;

/**
 * The alerting service's settings file ({@code --alerting-config}): users, webhooks, device
 * groups, escalation roster, retries and lifecycle settings as JSON (see
 * {@code src/site/markdown/alerting.md}). Connection settings come from the command line.
 */
final class AlertingSettings {
    /**
     * Keys the command line sets, with the flags that do: a settings file that also sets them is
     * probably a mistake, and the flags' defaults would replace its values unnoticed.
     */
    private static final Map<String, String> COMMAND_LINE_KEYS = Map.of("bootstrapServers", "--bootstrap-servers",
            "httpHost", "--host", "httpPort", "--port", "partitions", "--partitions",
            "replicationFactor", "--replication-factor");
    /** What the demo sets itself: its one broker's topics. */
    private static final Set<String> DEMO_KEYS = Set.of("partitions", "replicationFactor");

    private AlertingSettings() {
    }

    static JsonObject read(Path file) {
        return read(file, false);
    }

    /** @param demo whether the demo reads them, which has other flags and creates its topics itself */
    static JsonObject read(Path file, boolean demo) {
        if (file == null) {
            return new JsonObject();
        }
        JsonObject json;
        try {
            json = StrictJson.object(Files.readString(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("the alerting settings " + file + " do not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the alerting settings " + file + ": " + e);
        } catch (DecodeException e) {
            throw new IllegalArgumentException("the alerting settings " + file + " are not a JSON object: "
                    + e.getMessage());
        }
        for (Map.Entry<String, String> key : COMMAND_LINE_KEYS.entrySet()) {
            if (json.containsKey(key.getKey())) {
                throw new IllegalArgumentException("the alerting settings " + file + " set '" + key.getKey() + "'; "
                        + (!demo ? "give it on the command line instead (" + key.getValue() + ")"
                                : DEMO_KEYS.contains(key.getKey()) ? "the demo sets it for its own broker; remove it"
                                : "the demo's command line sets it; remove it"));
            }
        }
        return json;
    }

    /** The demo's two accounts, with passwords new at every start (the banner prints them). */
    record DemoUsers(String clinicianPassword, String adminPassword) {
        static DemoUsers generate() {
            return new DemoUsers(Passwords.random(), Passwords.random());
        }

        JsonArray toJson() {
            return new JsonArray()
                    .add(new UserAccount("clinician", Passwords.hash(clinicianPassword), Set.of(Role.CLINICIAN))
                            .toJson())
                    .add(new UserAccount("admin", Passwords.hash(adminPassword), Set.of(Role.ADMIN, Role.CLINICIAN))
                            .toJson());
        }
    }
}
