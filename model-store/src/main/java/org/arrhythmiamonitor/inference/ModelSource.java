package org.arrhythmiamonitor.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.arrhythmiamonitor.config.IoReasons;

/** Where models and their cards are read from: a directory (which can change) or the jar's {@code models/}. */
public interface ModelSource {
    /** File names of the model cards (*.json). */
    List<String> cards();

    byte[] read(String fileName);

    String describe();

    static ModelSource directory(Path directory) {
        return new ModelSource() {
            @Override
            public List<String> cards() {
                if (!Files.isDirectory(directory)) {
                    throw new ModelException("model directory " + directory
                            + (Files.exists(directory) ? " is not a directory" : " does not exist"));
                }
                try (Stream<Path> files = Files.list(directory)) {
                    return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
                } catch (IOException e) {
                    throw new ModelException("cannot list model directory " + directory + ": " + e.getMessage(), e);
                }
            }

            @Override
            public byte[] read(String fileName) {
                Path file = directory.resolve(fileName).normalize();
                if (!file.startsWith(directory.normalize())) {
                    throw new ModelException("model file " + fileName + " is outside " + directory);
                }
                try {
                    return Files.readAllBytes(file);
                } catch (IOException e) {
                    throw new ModelException("cannot read " + file + ": " + IoReasons.of(e, file), e);
                }
            }

            @Override
            public String describe() {
                return "model directory " + directory;
            }
        };
    }

    /** The models packaged in the jar, listed in {@code models/index.txt} (one card file name a line). */
    static ModelSource classpath() {
        return new ModelSource() {
            @Override
            public List<String> cards() {
                String index = new String(read("index.txt"), StandardCharsets.UTF_8);
                return index.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            }

            @Override
            public byte[] read(String fileName) {
                try (InputStream in = ModelSource.class.getClassLoader().getResourceAsStream("models/" + fileName)) {
                    if (in == null) {
                        throw new ModelException("models/" + fileName + " is not on the classpath");
                    }
                    return in.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public String describe() {
                return "the models packaged with the processor (classpath models/)";
            }
        };
    }
}
