package org.arrhythmiamonitor.wfdb;

/**
 * WFDB annotation codes (ecgcodes.h) with their mnemonics, and the AAMI EC57 beat class of each
 * beat code.
 */
public enum AnnotationCode {
    NOTQRS(0, "?"),
    NORMAL(1, "N"), LBBB(2, "L"), RBBB(3, "R"), ABERR(4, "a"), PVC(5, "V"), FUSION(6, "F"), NPC(7, "J"),
    APC(8, "A"), SVPB(9, "S"), VESC(10, "E"), NESC(11, "j"), PACE(12, "/"), UNKNOWN(13, "Q"), NOISE(14, "~"),
    ARFCT(16, "|"), STCH(18, "s"), TCH(19, "T"), SYSTOLE(20, "*"), DIASTOLE(21, "D"), NOTE(22, "\""),
    MEASURE(23, "="), PWAVE(24, "p"), BBB(25, "B"), PACESP(26, "^"), TWAVE(27, "t"), RHYTHM(28, "+"),
    UWAVE(29, "u"), LEARN(30, "?"), FLWAV(31, "!"), VFON(32, "["), VFOFF(33, "]"), AESC(34, "e"),
    SVESC(35, "n"), LINK(36, "@"), NAPC(37, "x"), PFUS(38, "f"), WFON(39, "("), WFOFF(40, ")"), RONT(41, "r");

    private static final AnnotationCode[] BY_CODE = new AnnotationCode[64];

    static {
        for (AnnotationCode c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;
    private final String mnemonic;

    AnnotationCode(int code, String mnemonic) {
        this.code = code;
        this.mnemonic = mnemonic;
    }

    public int code() {
        return code;
    }

    public String mnemonic() {
        return mnemonic;
    }

    /** The code with this number, or null for numbers WFDB leaves unassigned. */
    public static AnnotationCode of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** True for the codes that mark a QRS complex (WFDB's isqrs), the beats QRS detection is scored on. */
    public boolean isBeat() {
        return switch (this) {
            case NORMAL, LBBB, RBBB, ABERR, PVC, FUSION, NPC, APC, SVPB, VESC, NESC, PACE, UNKNOWN, LEARN, AESC,
                    SVESC, PFUS, RONT -> true;
            default -> false;
        };
    }

    /**
     * The AAMI EC57 class of a beat code: N = {N, L, R, e, j}, S = {A, a, J, S}, V = {V, E},
     * F = {F}, Q = {/, f, Q}; null for every other code.
     */
    public Character aamiClass() {
        return switch (this) {
            case NORMAL, LBBB, RBBB, AESC, NESC -> 'N';
            case ABERR, NPC, APC, SVPB -> 'S';
            case PVC, VESC -> 'V';
            case FUSION -> 'F';
            case PACE, PFUS, UNKNOWN -> 'Q';
            default -> null;
        };
    }
}
