package org.arrhythmiamonitor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.arrhythmiamonitor.kafka.TopicProvisioner;
import org.arrhythmiamonitor.testing.TestKafka;
import org.arrhythmiamonitor.wire.Topics;
import org.junit.jupiter.api.Test;

/**
 * While Kafka is unreachable the credentials cannot be followed, and tokens issued or revoked
 * through another gateway are not known here; the consumer's poll does not fail then, so only the
 * unanswered reads tell.
 */
class DeviceRegistryTest {
    private static final Duration SILENCE = Duration.ofSeconds(2);

    @Test
    void saysHowLongItsReadsHaveGoneUnansweredWhileKafkaIsUnreachableAndNothingOnceItIsBack() throws Exception {
        TestKafka kafka = TestKafka.start();
        try {
            TopicProvisioner.ensureTopics(kafka.bootstrapServers(), List.of(Topics.DEVICES), 1, (short) 1, 10_000);
            try (DeviceRegistry registry = DeviceRegistry.open(kafka.bootstrapServers(), Duration.ofSeconds(20),
                    SILENCE)) {
                // A quiet topic is not a lost cluster: no credential is written, and the reads are answered.
                Thread.sleep(SILENCE.toMillis() + 1500);
                assertThat(registry.silentFor()).isNull();

                kafka.stopBroker();
                await(() -> registry.silentFor() != null, Duration.ofSeconds(15), "silent while the broker is down");
                assertThat(registry.silentFor()).isGreaterThan(SILENCE);

                kafka.restartBroker();
                await(() -> registry.silentFor() == null, Duration.ofSeconds(30), "answered once it is back");
            }
        } finally {
            kafka.close();
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, timeout).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
