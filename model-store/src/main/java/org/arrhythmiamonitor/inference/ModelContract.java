package org.arrhythmiamonitor.inference;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What the stream needs of a model: the input it produces ({@link InputSpec}) and the output
 * classes in the order it reads the probabilities. A model whose card differs in either is refused,
 * so a model with reordered classes cannot silently mislabel every beat.
 *
 * @param concern what else about a card the caller would warn of once the model is loaded (for
 *     the beat model, features that differ from those it was trained on); null when nothing
 * @param earlierNormalisations normalisations earlier builds wrote into cards, of inputs this one
 *     still gives exactly (a rule reworded or dropped that changes no input a model was trained
 *     on): their models still serve, and a released card need not be edited
 */
public record ModelContract(InputSpec input, List<String> classes, Function<ModelCard, String> concern,
        Set<String> earlierNormalisations) {
    public ModelContract {
        classes = List.copyOf(classes);
        Objects.requireNonNull(concern, "concern");
        earlierNormalisations = Set.copyOf(earlierNormalisations);
    }

    /** A contract with no further concern. */
    public ModelContract(InputSpec input, List<String> classes) {
        this(input, classes, card -> null, Set.of());
    }

    /** A contract with a further concern, served by this build's normalisation alone. */
    public ModelContract(InputSpec input, List<String> classes, Function<ModelCard, String> concern) {
        this(input, classes, concern, Set.of());
    }

    /** The first difference of {@code card} from this contract, for an error message; null when there is none. */
    String differenceFrom(ModelCard card) {
        InputSpec declared = card.input();
        if (earlierNormalisations.contains(declared.normalisation())) {
            declared = new InputSpec(declared.rateHz(), declared.before(), declared.length(), declared.channels(),
                    declared.rrFeatures(), this.input.normalisation());
        }
        String input = declared.differenceFrom(this.input);
        if (input != null) {
            return input;
        }
        return card.classes().equals(classes) ? null
                : "output classes " + card.classes() + ", the stream reads " + classes;
    }
}
