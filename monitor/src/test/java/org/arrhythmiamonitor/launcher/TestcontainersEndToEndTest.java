package org.arrhythmiamonitor.launcher;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The end-to-end scenario on the {@code apache/kafka} image, the broker docker-compose runs. Skipped
 * where no Docker engine is available.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersEndToEndTest extends EndToEndScenario {
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.3.1");

    @Override
    String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }
}
