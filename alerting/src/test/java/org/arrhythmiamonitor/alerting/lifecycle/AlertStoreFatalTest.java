package org.arrhythmiamonitor.alerting.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.junit.jupiter.api.Test;

/** Which producer errors leave the store unable to take any change until a restart. */
class AlertStoreFatalTest {

    @Test
    void aFatalErrorIsKnownWhetherItComesAloneOrWrappedByTheProducersErrorState() {
        TopicAuthorizationException denied = new TopicAuthorizationException("ecg.alert-state");
        assertThat(AlertStore.fatal(denied)).isTrue();
        // As the abort after it throws in kafka-clients 4.3 (TransactionManager.maybeFailWithError).
        assertThat(AlertStore.fatal(new KafkaException(
                "Cannot execute transactional method because we are in an error state", denied))).isTrue();
        assertThat(AlertStore.fatal(new KafkaException("x", new UnsupportedVersionException("old broker")))).isTrue();
        assertThat(AlertStore.fatal(new TimeoutException("Kafka down"))).as("passing").isFalse();
        assertThat(AlertStore.fatal(new KafkaException("x", new TimeoutException("Kafka down")))).isFalse();
    }
}
