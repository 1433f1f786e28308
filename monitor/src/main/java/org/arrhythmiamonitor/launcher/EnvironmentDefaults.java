package org.arrhythmiamonitor.launcher;

import java.lang.reflect.AnnotatedElement;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * A flag's default taken from an environment variable ({@code defaultValue = "${env:GATEWAY_PORT:-8080}"})
 * and refused: picocli says "Invalid value for option '--port'", and a service "--port must be
 * 0-65535", to an operator who typed no {@code --port} and set {@code GATEWAY_PORT} in a compose
 * file. The refusal then names the variable.
 */
final class EnvironmentDefaults {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)");

    private EnvironmentDefaults() {
    }

    /**
     * {@code message}, a refusal that names flags ({@code --port must be 0-65535, got 70000}), with
     * each flag the command line did not give but a set variable did named with that variable
     * ({@code --port (from GATEWAY_PORT)}): a value the service refused after picocli read it.
     */
    static String annotate(String message, CommandLine command, UnaryOperator<String> environment) {
        ParseResult parsed = command.getParseResult();
        if (message == null || parsed == null) {
            return message;
        }
        String annotated = message;
        for (OptionSpec option : command.getCommandSpec().options()) {
            String variable = variableOf(option, environment);
            if (variable != null && !parsed.hasMatchedOption(option)) {
                // The flag alone, not the start of a longer one (--port in --processor-port).
                Matcher flag = Pattern.compile("(?<![\\w-])" + Pattern.quote(option.longestName()) + "(?![\\w-])")
                        .matcher(annotated);
                if (flag.find()) {
                    annotated = annotated.substring(0, flag.end()) + " (from " + variable + ")"
                            + annotated.substring(flag.end());
                }
            }
        }
        return annotated;
    }

    /** The set environment variable {@code option}'s default comes from, or null. */
    private static String variableOf(OptionSpec option, UnaryOperator<String> environment) {
        // Picocli keeps only the default it interpolated; the variable's name is in the annotation.
        if (!(option.userObject() instanceof AnnotatedElement element) || element.getAnnotation(Option.class) == null) {
            return null;
        }
        Matcher variable = VARIABLE.matcher(element.getAnnotation(Option.class).defaultValue());
        return variable.find() && environment.apply(variable.group(1)) != null ? variable.group(1) : null;
    }

    /**
     * The refusal's message, naming the variable when the flag was not given and the refused
     * value is the one the variable holds; otherwise picocli's own. A bad option the command
     * itself refused (no option of picocli's behind it) is {@link #annotate annotated}.
     *
     * @param args the command line
     * @param environment the value of each environment variable, or null when unset
     */
    static String message(ParameterException refusal, String[] args, UnaryOperator<String> environment) {
        if (!(refusal.getArgSpec() instanceof OptionSpec option)) {
            // The command's own refusal of a value it read, which names the flag as a service's does.
            return annotate(refusal.getMessage(), refusal.getCommandLine(), environment);
        }
        if (given(option, args)) {
            return refusal.getMessage();
        }
        String variable = variableOf(option, environment);
        if (variable == null || !environment.apply(variable).equals(refusal.getValue())) {
            return refusal.getMessage();
        }
        // Picocli's own words start by naming the flag, which the operator did not give.
        String reason = refusal.getMessage().replaceFirst("^Invalid value for option '[^']*': ", "");
        return "Invalid value of the environment variable " + variable + ", which sets "
                + option.longestName() + " when the flag is not given: " + reason;
    }

    private static boolean given(OptionSpec option, String[] args) {
        return Arrays.stream(args == null ? new String[0] : args).anyMatch(arg -> Arrays.stream(option.names())
                .anyMatch(name -> arg.equals(name) || arg.startsWith(name + "=")));
    }
}
