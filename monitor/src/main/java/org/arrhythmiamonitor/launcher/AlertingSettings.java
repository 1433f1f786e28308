package org.arrhythmiamonitor.launcher;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.arrhythmiamonitor.alerting.auth.Passwords;
import org.arrhythmiamonitor.alerting.auth.Role;
import org.arrhythmiamonitor.alerting.auth.UserAccount;

/**
 * The alerting service's settings file ({@code --alerting-config}): users, webhooks, device
 * groups, escalation roster, retries and lifecycle settings as JSON (see
 * {@code src/site/markdown/alerting.md}). Connection settings come from the command line.
 */
final class AlertingSettings {
    /** Keys the command line sets; a settings file that also sets them is probably a mistake. */
    private static final Set<String> COMMAND_LINE_KEYS = Set.of("bootstrapServers", "httpHost", "httpPort",
            "partitions", "replicationFactor");

    private AlertingSettings() {
    }

    static JsonObject read(Path file) {
        if (file == null) {
            return new JsonObject();
        }
        JsonObject json;
        try {
            json = new JsonObject(Files.readString(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("the alerting settings " + file + " do not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the alerting settings " + file + ": " + e);
        } catch (DecodeException e) {
            throw new IllegalArgumentException("the alerting settings " + file + " are not a JSON object: "
                    + e.getMessage());
        }
        for (String key : COMMAND_LINE_KEYS) {
            if (json.containsKey(key)) {
                throw new IllegalArgumentException("the alerting settings " + file + " set '" + key
                        + "'; give it on the command line instead");
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
