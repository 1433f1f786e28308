package org.arrhythmiamonitor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.arrhythmiamonitor.ingest.SampleChunkPublisher.EarlierChunkNotStored;
import org.arrhythmiamonitor.wire.v1.Lead;
import org.arrhythmiamonitor.wire.v1.SampleChunk;
import org.junit.jupiter.api.Test;

/** The order a device's chunks are sent in, against a Kafka that is not there (every send fails). */
class SampleChunkPublisherTest {
    private static SampleChunk chunk(long seq) {
        return SampleChunk.newBuilder().setDeviceId("d").setSeq(seq).setT0EpochMs(1_767_225_600_000L + 1000 * seq)
                .setFsHz(250).addLeads(Lead.newBuilder().setName("MLII").addSamples(1)).build();
    }

    private static Throwable failure(CompletionStage<RecordMetadata> sent) throws Exception {
        try {
            sent.toCompletableFuture().get(20, TimeUnit.SECONDS);
            throw new AssertionError("stored, with no Kafka");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void aChunkIsNotSentOnceTheOneBeforeItWasNotStoredAndTheAnswerNamesTheFirstNotStored() throws Exception {
        try (SampleChunkPublisher publisher = new SampleChunkPublisher(GatewayConfig.fromJson(new JsonObject()
                .put("bootstrapServers", "127.0.0.1:1").put("deliveryTimeoutMs", 1000)))) {
            CompletionStage<RecordMetadata> first = publisher.publish(chunk(0));
            CompletionStage<RecordMetadata> second = publisher.publish(chunk(1));
            CompletionStage<RecordMetadata> third = publisher.publish(chunk(2));
            assertThat(failure(first)).isInstanceOf(TimeoutException.class);
            assertThat(failure(second)).isInstanceOfSatisfying(EarlierChunkNotStored.class,
                    e -> assertThat(e.earlierSeq()).isZero());
            // Seq 2 waited for seq 1, which was not sent because of seq 0: the device starts again from 0.
            assertThat(failure(third)).isInstanceOfSatisfying(EarlierChunkNotStored.class,
                    e -> assertThat(e.earlierSeq()).isZero());

            // A retry of an earlier seq handed over as a later chunk settles, as the gateway does once
            // its answer is in, while the publisher still holds the later one as the device's latest
            // (its callbacks run before the publisher's): the retry is sent, not refused for the later one.
            CompletableFuture<RecordMetadata> later = publisher.publish(chunk(5)).toCompletableFuture();
            CompletableFuture<CompletionStage<RecordMetadata>> retry = new CompletableFuture<>();
            later.whenComplete((metadata, error) -> retry.complete(publisher.publish(chunk(4))));
            assertThat(failure(later)).isInstanceOf(TimeoutException.class);
            assertThat(failure(retry.get(20, TimeUnit.SECONDS))).isInstanceOf(TimeoutException.class);
        }
    }
}
