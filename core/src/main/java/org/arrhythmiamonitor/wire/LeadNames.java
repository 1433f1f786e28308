package org.arrhythmiamonitor.wire;

import java.util.Locale;

/**
 * When two lead names name one lead: letter case and spaces at the ends aside ("mlii " is MLII).
 * The gateway refuses a chunk with two leads of one name by this rule, and the strips find a lead
 * in later chunks by it, so the two cannot disagree.
 */
public final class LeadNames {
    private LeadNames() {
    }

    /** The form two names of one lead share. */
    public static String key(String name) {
        return name.strip().toUpperCase(Locale.ROOT);
    }

    public static boolean same(String a, String b) {
        return key(a).equals(key(b));
    }
}
