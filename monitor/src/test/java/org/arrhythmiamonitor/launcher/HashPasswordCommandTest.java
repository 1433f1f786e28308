package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code monitor hash-password} from standard input, as scripts run it (no terminal under the tests). */
class HashPasswordCommandTest {
    private record Outcome(int exitCode, String err) {
    }

    private static Outcome hash(byte[] input) {
        InputStream stdin = System.in;
        StringWriter err = new StringWriter();
        try {
            System.setIn(new ByteArrayInputStream(input));
            CommandLine commandLine = Monitor.commandLine();
            commandLine.setErr(new PrintWriter(err, true));
            return new Outcome(commandLine.execute("hash-password"), err.toString().strip());
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void aByteOrderMarkIsNoPartOfThePassword() {
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
            assertThat(hash("\uFEFFcorrect horse\r\n".getBytes(StandardCharsets.UTF_8)).exitCode()).isZero();
        } finally {
            System.setOut(stdout);
        }
        String hash = printed.toString(StandardCharsets.UTF_8).strip();
        assertThat(org.arrhythmiamonitor.alerting.auth.Passwords.verify("correct horse", hash)).isTrue();
    }

    @Test
    void oneLineIsHashedAndMoreOrOtherThanUtf8IsRefused() {
        assertThat(hash("correct horse battery\n\n".getBytes(StandardCharsets.UTF_8)).exitCode()).isZero();
        // Hashing the first line would drop the rest without a word.
        assertThat(hash("first\nsecond\n".getBytes(StandardCharsets.UTF_8))).isEqualTo(new Outcome(1,
                "monitor hash-password: standard input holds more than one line; give the password alone, as one "
                        + "line"));
        // Read leniently, the bad byte became U+FFFD and the hash that of another password.
        assertThat(hash(new byte[] {'p', 'a', 's', 's', (byte) 0xFF, 'w', 'o', 'r', 'd', '1', '2', '\n'}))
                .isEqualTo(new Outcome(1, "monitor hash-password: standard input is not UTF-8; give the password in "
                        + "UTF-8"));
    }
}
