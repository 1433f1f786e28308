package org.arrhythmiamonitor.alerting.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.arrhythmiamonitor.config.ConfigKeys;
import org.arrhythmiamonitor.config.ConfigKeys.Kind;

/** A user of the dashboard and the API: a name, a password hash ({@link Passwords}) and roles. */
public record UserAccount(String username, String passwordHash, Set<Role> roles) {
    public UserAccount {
        if (username == null || !username.matches("[A-Za-z0-9._@-]{1,64}")) {
            throw new IllegalArgumentException("users: username must be 1-64 letters, digits, '.', '_', '@' or '-'; got "
                    + username);
        }
        Passwords.requireWellFormed(passwordHash, "users." + username);
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("users." + username + ": give at least one role (clinician, admin)");
        }
        roles = Set.copyOf(roles);
    }

    public static UserAccount fromJson(JsonObject json) {
        ConfigKeys.requireKnown(json, "users." + json.getValue("username"), Map.of("username", Kind.TEXT,
                "passwordHash", Kind.TEXT, "roles", Kind.LIST));
        String username = json.getString("username");
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (Object role : json.getJsonArray("roles", new JsonArray())) {
            roles.add(Role.parse(String.valueOf(role), "users." + username));
        }
        return new UserAccount(username, json.getString("passwordHash"), roles);
    }

    /** Without the hash, which a record would otherwise print. */
    @Override
    public String toString() {
        return "UserAccount[" + username + ", " + roles + "]";
    }

    public JsonObject toJson() {
        return new JsonObject().put("username", username).put("passwordHash", passwordHash)
                .put("roles", new JsonArray(roles.stream().map(Role::id).sorted().toList()));
    }
}
