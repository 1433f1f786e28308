package org.arrhythmiamonitor.launcher;

import java.lang.reflect.AnnotatedElement;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * A flag's default taken from an environment variable ({@code defaultValue = "${env:GATEWAY_PORT:-8080}"})
 * and refused: picocli says "Invalid value for option '--port'", to an operator who typed no
 * {@code --port} and set {@code GATEWAY_PORT} in a compose file. The refusal then names the variable.
 */
final class EnvironmentDefaults {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)");

    private EnvironmentDefaults() {
    }

    /**
     * The refusal's message, naming the variable when the flag was not given and the refused
     * value is the one the variable holds; otherwise picocli's own.
     *
     * @param args the command line
     * @param environment the value of each environment variable, or null when unset
     */
    static String message(ParameterException refusal, String[] args, UnaryOperator<String> environment) {
        // Picocli keeps only the default it interpolated; the variable's name is in the annotation.
        if (!(refusal.getArgSpec() instanceof OptionSpec option)
                || !(option.userObject() instanceof AnnotatedElement element)
                || element.getAnnotation(Option.class) == null || given(option, args)) {
            return refusal.getMessage();
        }
        Matcher variable = VARIABLE.matcher(element.getAnnotation(Option.class).defaultValue());
        if (!variable.find()) {
            return refusal.getMessage();
        }
        String value = environment.apply(variable.group(1));
        if (value == null || !value.equals(refusal.getValue())) {
            return refusal.getMessage();
        }
        // Picocli's own words start by naming the flag, which the operator did not give.
        String reason = refusal.getMessage().replaceFirst("^Invalid value for option '[^']*': ", "");
        return "Invalid value of the environment variable " + variable.group(1) + ", which sets "
                + option.longestName() + " when the flag is not given: " + reason;
    }

    private static boolean given(OptionSpec option, String[] args) {
        return Arrays.stream(args == null ? new String[0] : args).anyMatch(arg -> Arrays.stream(option.names())
                .anyMatch(name -> arg.equals(name) || arg.startsWith(name + "=")));
    }
}
