package org.arrhythmiamonitor.launcher;

import picocli.CommandLine.Option;

/** Options every service shares: where Kafka is and how to create missing topics. */
final class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS; default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--partitions", defaultValue = "${env:ECG_TOPIC_PARTITIONS:-6}",
            description = "Partitions of the ecg.* topics when they have to be created (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "${env:ECG_TOPIC_REPLICATION:-3}",
            description = "Replication of the ecg.* topics when they have to be created, lowered to the number "
                    + "of brokers (default: ${DEFAULT-VALUE}).")
    short replicationFactor;

    void putInto(CommandLineSettings settings) {
        settings.put("bootstrapServers", "--bootstrap-servers", bootstrapServers)
                .put("partitions", "--partitions", partitions)
                .put("replicationFactor", "--replication-factor", (int) replicationFactor);
    }
}
