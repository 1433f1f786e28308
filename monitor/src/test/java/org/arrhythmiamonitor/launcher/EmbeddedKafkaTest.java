package org.arrhythmiamonitor.launcher;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @Test
    void aDataDirectoryAnotherBrokerHoldsIsSaidInOneLineBeforeThisOneStarts(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("kafka");
        try (EmbeddedKafka first = EmbeddedKafka.start(data, "127.0.0.1", freePort())) {
            assertThatThrownBy(() -> EmbeddedKafka.start(data, "127.0.0.1", freePort()))
                    .isInstanceOf(LaunchException.class)
                    .hasMessage("The Kafka data directory " + data + " is in use by this process's own broker: choose "
                            + "another --data-dir.");
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
