package org.arrhythmiamonitor.alerting.auth;

import java.util.Locale;

/** What a user may do: clinicians work alerts; administrators see the notification set-up. */
public enum Role {
    CLINICIAN, ADMIN;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String value, String owner) {
        for (Role role : values()) {
            if (role.id().equals(value)) {
                return role;
            }
        }
        throw new IllegalArgumentException(owner + ": role must be clinician or admin; got " + value);
    }
}
