package org.arrhythmiamonitor.launcher;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
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
        description = "Print the PBKDF2 hash of a password for the users of --alerting-config.")
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
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (password == null) {
                throw new IllegalArgumentException("give the password as the first line of standard input");
            }
        }
        System.out.println(Passwords.hash(password));
        return 0;
    }
}
