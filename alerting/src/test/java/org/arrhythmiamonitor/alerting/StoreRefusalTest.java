package org.arrhythmiamonitor.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.arrhythmiamonitor.alerting.AlertApi.StoreRefusal;
import org.arrhythmiamonitor.alerting.lifecycle.AlertStoreException;
import org.junit.jupiter.api.Test;

/** Which store failures tell the client to try again: only those a retry can cure. */
class StoreRefusalTest {

    @Test
    void onlyAPassingFailureInvitesARetry() {
        StoreRefusal passing = StoreRefusal.of(new AlertStoreException("Kafka did not store the alert change: down",
                new TimeoutException("down")));
        assertThat(passing).isEqualTo(new StoreRefusal(503, "not_stored",
                "Kafka did not store the alert change: down; nothing changed, try again", true));

        StoreRefusal fenced = StoreRefusal.of(new AlertStoreException("another alerting instance took over", null,
                true, false));
        assertThat(fenced.error()).isEqualTo("fenced");
        assertThat(fenced.tryAgain()).isFalse();

        StoreRefusal broken = StoreRefusal.of(AlertStoreException.broken("the alert store's producer failed (x); "
                + "restart the service", null));
        assertThat(broken).isEqualTo(new StoreRefusal(503, "store_broken",
                "the alert store's producer failed (x); restart the service; nothing changed", false));

        StoreRefusal unknown = StoreRefusal.of(new AlertStoreException("whether it was stored is unknown", null,
                false, true));
        assertThat(unknown.error()).isEqualTo("outcome_unknown");
        assertThat(unknown.tryAgain()).isFalse();

        StoreRefusal tooLarge = StoreRefusal.of(new AlertStoreException("the alert record is larger than Kafka accepts",
                new RecordTooLargeException("1 MB")));
        assertThat(tooLarge.status()).isEqualTo(500);
        assertThat(tooLarge.error()).isEqualTo("too_large");
        assertThat(tooLarge.tryAgain()).isFalse();
    }
}
