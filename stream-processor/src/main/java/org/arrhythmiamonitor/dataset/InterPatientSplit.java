package org.arrhythmiamonitor.dataset;

import java.util.List;

/**
 * De Chazal's inter-patient split of the MIT-BIH Arrhythmia Database (2004): models are trained
 * and tuned on DS1 and tested once on DS2, so no patient is in both. The paced records are in
 * neither.
 */
public final class InterPatientSplit {
    public static final List<String> DS1 = List.of("101", "106", "108", "109", "112", "114", "115", "116", "118",
            "119", "122", "124", "201", "203", "205", "207", "208", "209", "215", "220", "223", "230");
    public static final List<String> DS2 = List.of("100", "103", "105", "111", "113", "117", "121", "123", "200",
            "202", "210", "212", "213", "214", "219", "221", "222", "228", "231", "232", "233", "234");
    public static final List<String> PACED = List.of("102", "104", "107", "217");

    private InterPatientSplit() {
    }

    /**
     * Whether {@code record} is a DS2 record or one made from it under the name {@code monitor nst}
     * gives ({@code 100ma06}: the record's name and then no digit). Only the name can tell: a DS2
     * record copied under another name passes, which the guard of DS1-only training cannot see.
     */
    public static boolean isFromDs2(String record) {
        return DS2.stream().anyMatch(test -> record.equals(test)
                || record.startsWith(test) && !Character.isDigit(record.charAt(test.length())));
    }
}
