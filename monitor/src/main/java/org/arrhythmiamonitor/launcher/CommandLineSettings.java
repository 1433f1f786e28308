package org.arrhythmiamonitor.launcher;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.arrhythmiamonitor.config.SettingException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * A service's settings as a command gives them, with the flag that gave each one. A setting the
 * service refuses is then reported under the flag the operator typed ({@code --port must be
 * 0-65535}) rather than the key it became ({@code processor: httpPort}), which they may never
 * have seen. A setting a file gave keeps its key, which is what that file says.
 */
final class CommandLineSettings {
    private record Setting(String section, String key) {
    }

    private final String section;
    private final JsonObject json;
    /** Shared with the nested objects, whose settings are refused under their own section. */
    private final Map<Setting, String> flags;

    /** @param section whose settings, as the service's messages name them: processor, gateway, ... */
    CommandLineSettings(String section) {
        this(section, new JsonObject(), new HashMap<>());
    }

    /** Settings read from a file, which the flags then add to. */
    CommandLineSettings(String section, JsonObject fromFile) {
        this(section, fromFile, new HashMap<>());
    }

    private CommandLineSettings(String section, JsonObject json, Map<Setting, String> flags) {
        this.section = section;
        this.json = json;
        this.flags = flags;
    }

    /** {@code flag} gave {@code key} this value. */
    CommandLineSettings put(String key, String flag, Object value) {
        json.put(key, value);
        return flag(key, flag);
    }

    /** A value no flag gave (the demo's one-broker topics): refused, it is named by its key. */
    CommandLineSettings put(String key, Object value) {
        json.put(key, value);
        flags.remove(new Setting(section, key));
        return this;
    }

    /**
     * An optional flag: its value when given; when not, and no file set the key, the service's
     * default is in force, which the flag's help states and the flag changes, so it still names it.
     */
    CommandLineSettings putIfGiven(String key, String flag, Object value) {
        if (value != null) {
            return put(key, flag, value);
        }
        return json.containsKey(key) ? this : flag(key, flag);
    }

    /**
     * {@code flag} gives {@code key} though it is not in the JSON: a component of a settings record
     * the command builds itself.
     */
    CommandLineSettings flag(String key, String flag) {
        flags.put(new Setting(section, key), flag);
        return this;
    }

    /** The object under {@code key}, whose settings the service refuses under {@code section}. */
    CommandLineSettings object(String key, String section, JsonObject fromFile) {
        json.put(key, fromFile);
        return new CommandLineSettings(section, fromFile, flags);
    }

    JsonObject json() {
        return json;
    }

    /** The service's settings from this JSON; a refused one is reported under the flag that gave it. */
    <T> T build(Function<JsonObject, T> fromJson) {
        return check(() -> fromJson.apply(json));
    }

    /** Settings the command builds itself; a refused one is reported under the flag that gave it. */
    <T> T check(Supplier<T> settings) {
        try {
            return settings.get();
        } catch (SettingException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
    }

    /**
     * Settings built from a command's flags alone, by a command that runs once and exits (simulate,
     * dataset): a refused one is a bad option, reported with the usage and exit status 2, as
     * picocli reports a flag it cannot parse, before anything is sent or written.
     */
    <T> T checkOptions(CommandLine commandLine, Supplier<T> settings) {
        try {
            return check(settings);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine, e.getMessage(), e);
        }
    }

    /**
     * The refusal with each setting a flag gave named by that flag. The section is left out when
     * only flags are named: {@code --port} needs no {@code processor:} before it.
     */
    String describe(SettingException e) {
        Function<String, String> flag = key -> flags.get(new Setting(e.section(), key));
        String text = e.describe(key -> flag.apply(key) != null ? flag.apply(key) : key);
        boolean onlyFlags = !e.keys().isEmpty() && e.keys().stream().allMatch(key -> flag.apply(key) != null);
        return onlyFlags ? text : e.section() + ": " + text;
    }
}
