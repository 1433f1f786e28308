package org.arrhythmiamonitor.inference;

import java.util.List;

/**
 * What the stream needs of a model: the input it produces ({@link InputSpec}) and the output
 * classes in the order it reads the probabilities. A model whose card differs in either is refused,
 * so a model with reordered classes cannot silently mislabel every beat.
 */
public record ModelContract(InputSpec input, List<String> classes) {
    public ModelContract {
        classes = List.copyOf(classes);
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
