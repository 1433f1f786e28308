package org.arrhythmiamonitor.inference;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What the stream needs of a model: the input it produces ({@link InputSpec}) and the output
 * classes in the order it reads the probabilities. A model whose card differs in either is refused,
 * so a model with reordered classes cannot silently mislabel every beat.
 *
 * @param concern what else about a card the caller would warn of once the model is loaded (for
 *     the beat model, features that differ from those it was trained on); null when nothing
 */
public record ModelContract(InputSpec input, List<String> classes, Function<ModelCard, String> concern) {
    public ModelContract {
        classes = List.copyOf(classes);
        Objects.requireNonNull(concern, "concern");
    }

    /** A contract with no further concern. */
    public ModelContract(InputSpec input, List<String> classes) {
        this(input, classes, card -> null);
    }

    /** The first difference of {@code card} from this contract, for an error message; null when there is none. */
    String differenceFrom(ModelCard card) {
        String input = card.input().differenceFrom(this.input);
        if (input != null) {
            return input;
        }
        return card.classes().equals(classes) ? null
                : "output classes " + card.classes() + ", the stream reads " + classes;
    }
}
