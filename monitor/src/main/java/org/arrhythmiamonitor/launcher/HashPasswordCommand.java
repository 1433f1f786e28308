package org.arrhythmiamonitor.launcher;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.arrhythmiamonitor.alerting.auth.Passwords;
import picocli.CommandLine.Command;

/**
 * Prints the hash of a password for the {@code users} of the alerting settings, so that the file
 * never holds a password. Reads the password without echo from the terminal, or as the first line
 * of standard input when there is no terminal (scripts).
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = {"Print the PBKDF2 hash of a password for the users of --alerting-config.",
            "The password is asked for twice on a terminal, without echo; otherwise it is the one line of standard "
                + "input (echo -n works too), which must be UTF-8."})
final class HashPasswordCommand implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
        String password;
        Console console = System.console();
        if (console != null) {
            char[] typed = console.readPassword("Password: ");
            char[] again = console.readPassword("Again: ");
            if (typed == null || again == null || !new String(typed).equals(new String(again))) {
                throw new IllegalArgumentException("the two passwords differ");
            }
            password = new String(typed);
        } else {
            // Strict UTF-8: a byte that is none would become U+FFFD, and the hash that of another password.
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
            try {
                password = in.readLine();
                if (password == null) {
                    throw new IllegalArgumentException("give the password as the first line of standard input");
                }
                // A byte-order mark (a Windows editor's file) is no part of the password.
                if (password.startsWith("\uFEFF")) {
                    password = password.substring(1);
                }
                // Only what has already come: a terminal-less stdin kept open (ssh without -t,
                // docker exec -i) must get its hash at the line's end, not at Ctrl-D.
                String next = "";
                while (in.ready() && (next = in.readLine()) != null && next.isEmpty()) {
                    // Empty lines after it are only line ends.
                }
                if (next != null && !next.isEmpty()) {
                    // Which line was meant? Hashing the first would drop the rest without a word.
                    throw new IllegalArgumentException("standard input holds more than one line; give the password "
                            + "alone, as one line");
                }
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("standard input is not UTF-8; give the password in UTF-8", e);
            }
        }
        System.out.println(Passwords.hash(password));
        return 0;
    }
}
