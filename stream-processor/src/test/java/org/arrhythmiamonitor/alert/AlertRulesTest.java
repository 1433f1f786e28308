package org.arrhythmiamonitor.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import org.arrhythmiamonitor.episode.EpisodeRules;
import org.arrhythmiamonitor.state.v1.EpisodeState;
import org.arrhythmiamonitor.wire.v1.Episode;
import org.junit.jupiter.api.Test;

class AlertRulesTest {
    private static final EpisodeRules AF_MUTED = EpisodeRules.fromJson(new JsonObject()
            .put("mutedAlertTypes", new JsonArray().add("ATRIAL_FIBRILLATION")));
    private static final Episode BEGUN = Episode.newBuilder().setEpisodeId("d:ATRIAL_FIBRILLATION:1000")
            .setDeviceId("d").setType("ATRIAL_FIBRILLATION").setOnsetSample(1000).setOnsetTimeMs(4000).build();
    private static final Episode ENDED = BEGUN.toBuilder().setEndSample(90_000).setEndTimeMs(400_000).build();

    private final Set<String> raised = new HashSet<>();
    private final EpisodeState.Builder state = EpisodeState.newBuilder();

    @Test
    void anAlertRaisedBeforeItsTypeWasMutedStillGetsItsEnd() {
        assertThat(AlertRules.alertFor(BEGUN, EpisodeRules.DEFAULTS, state, raised)).isPresent();
        assertThat(AlertRules.alertFor(BEGUN, AF_MUTED, state, raised)).as("an update").isPresent();
        assertThat(AlertRules.alertFor(ENDED, AF_MUTED, state, raised)).get()
                .satisfies(a -> assertThat(a.getEndTimeMs()).isEqualTo(400_000));
        assertThat(raised).as("forgotten once ended").isEmpty();
    }

    @Test
    void aMutedTypeRaisesNothingOfItsOwn() {
        assertThat(AlertRules.alertFor(BEGUN, AF_MUTED, state, raised)).isEmpty();
        assertThat(AlertRules.alertFor(ENDED, AF_MUTED, state, raised)).isEmpty();
        assertThat(raised).isEmpty();
    }
}
