package org.arrhythmiamonitor.alerting.lifecycle;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.arrhythmiamonitor.kafka.TopicFollower;
import org.arrhythmiamonitor.wire.ProtobufSerde;
import org.arrhythmiamonitor.wire.Topics;
import org.arrhythmiamonitor.wire.v1.AlertRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerting service's durable store: the compacted topic {@code ecg.alert-state}, one
 * {@link AlertRecord} per alert id. Kafka rather than a database because the service already
 * depends on it, it replicates on a cluster, and compaction keeps exactly what a restart needs (the
 * latest record per alert, its audit trail inside it) without a second system to run and back up.
 *
 * <p>A save is one Kafka transaction and returns only once it is committed (acknowledged by all
 * in-sync replicas): the service answers a clinician's acknowledgement, or commits its read of
 * {@code ecg.alerts}, only after that.
 */
public final class AlertStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertStore.class);
    private static final long SAVE_TIMEOUT_MS = 10_000;

    private final String bootstrapServers;
    private final String transactionalId;
    private static final int COMMIT_ATTEMPTS = 3;

    /** The key of {@link #probe}'s record, which is never committed. */
    static final String PROBE_KEY = "__alerting-store-probe";

    private final KafkaProducer<String, AlertRecord> producer;
    private volatile boolean fenced;
    /** Probes wait this long after one that failed for another reason than fencing. */
    static final Duration PROBE_BACKOFF = Duration.ofMinutes(2);
    private long lastWriteNanos = System.nanoTime();
    private long probeAllowedNanos = System.nanoTime();
    private volatile boolean closing;
    private volatile String broken;
    private boolean abortPending;

    /**
     * @param transactionalId the same for every instance of one deployment: a new instance fences
     *     the one before it, whose writes then fail instead of overwriting newer changes (an
     *     escalation of the old instance must not undo an acknowledgement made on the new one)
     */
    public AlertStore(String bootstrapServers, String transactionalId) {
        this.bootstrapServers = bootstrapServers;
        this.transactionalId = transactionalId;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.CLIENT_ID_CONFIG, "alerting-store",
                // Fail a save within the HTTP request's patience instead of blocking for a minute.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) SAVE_TIMEOUT_MS,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SAVE_TIMEOUT_MS,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) SAVE_TIMEOUT_MS - 1000,
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), ProtobufSerde.alertRecords().serializer());
    }

    /**
     * Takes the transactional id over, which fences the instance running before this one: call it
     * only once the rest of the start can no longer fail for a reason of this instance's own (a
     * port in use), or a start that fails knocks out the instance it was not going to replace.
     */
    public void open() {
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            throw new AlertStoreException("cannot open the alert store " + Topics.ALERT_STATE + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stores the records, in order and all or none, and returns when Kafka has committed them.
     * Throws when they are not stored; the exception says when the outcome is unknown.
     *
     * <p>The producer is never replaced while the service runs: a new producer would take the
     * transactional id back from a newer instance. After an error Kafka calls fatal, or a commit
     * whose outcome stays unknown, the store refuses every change ({@link #broken}) until a
     * restart, which reads what was stored.
     */
    public synchronized void save(List<AlertRecord> records) {
        write(records.stream()
                .map(r -> new ProducerRecord<>(Topics.ALERT_STATE, r.getAlert().getAlertId(), r))
                .toList());
    }

    /** Deletes alerts from the store (tombstones, which compaction then removes), all or none. */
    public synchronized void delete(List<String> alertIds) {
        write(alertIds.stream()
                .map(id -> new ProducerRecord<String, AlertRecord>(Topics.ALERT_STATE, id, null))
                .toList());
    }

    /** Aborts the transaction an earlier failure left open, if any; null when done, else why not. */
    private RuntimeException finishPendingAbort() {
        if (!abortPending) {
            return null;
        }
        try {
            producer.abortTransaction();
            abortPending = false;
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** One transaction: saves and deletes share its guards, pending abort and commit retries. */
    private void write(List<ProducerRecord<String, AlertRecord>> changes) {
        if (fenced) {
            throw fencedException(null);
        }
        if (broken != null) {
            throw AlertStoreException.broken(broken, null);
        }
        RuntimeException stuck = finishPendingAbort();
        if (stuck != null) {
            throw failure(stuck, "Kafka is not reachable (an earlier transaction is still being aborted)");
        }
        try {
            producer.beginTransaction();
            for (ProducerRecord<String, AlertRecord> change : changes) {
                producer.send(change);
            }
        } catch (RuntimeException e) {
            throw abortAfter(e);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                producer.commitTransaction();
                lastWriteNanos = System.nanoTime();
                return;
            } catch (TimeoutException e) {
                // The outcome is not known yet; Kafka wants the same commit retried.
                if (attempt == COMMIT_ATTEMPTS) {
                    broken = "Kafka did not confirm an alert change within " + COMMIT_ATTEMPTS * SAVE_TIMEOUT_MS / 1000
                            + " s; whether it was stored is unknown, so the service changes nothing more until it "
                            + "is restarted (the restart reads what was stored)";
                    LOG.error(broken);
                    throw new AlertStoreException(broken, e, false, true);
                }
            } catch (RuntimeException e) {
                throw abortAfter(e);
            }
        }
    }

    /**
     * Finds out whether another instance took the store over, when nothing was written for
     * {@code idle}: Kafka tells a fenced producer only when it next writes, so an instance with
     * nothing to store would otherwise report itself healthy for as long as its alerts stay quiet.
     * It writes one record for a key of its own and aborts the transaction, so nothing is stored;
     * a refusal marks the store {@link #fenced}. Other errors (Kafka unreachable) are left to the
     * next change to report; an abort leaves no outcome unknown. After one, probes pause for
     * {@link #PROBE_BACKOFF}: each holds the store for up to two Kafka timeouts, which changes
     * made meanwhile would wait out.
     */
    public synchronized void probe(Duration idle) {
        long now = System.nanoTime();
        if (closing || fenced || broken != null || now - lastWriteNanos < idle.toNanos()
                || now - probeAllowedNanos < 0) {
            return;
        }
        RuntimeException failed = finishPendingAbort();
        if (failed == null) {
            try {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(Topics.ALERT_STATE, PROBE_KEY, null))
                        .get(SAVE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                producer.abortTransaction();
                lastWriteNanos = System.nanoTime();
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed = new InterruptException(e);
            } catch (ExecutionException e) {
                failed = e.getCause() instanceof RuntimeException cause ? cause : new RuntimeException(e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                failed = new TimeoutException("Kafka did not acknowledge the probe within " + SAVE_TIMEOUT_MS + " ms");
            } catch (RuntimeException e) {
                failed = e;
            }
            if (closing) {
                return; // Closed under it: nothing to report.
            }
            failed = abortAfter(failed);
        } else if (!closing) {
            failed = failure(failed, "an earlier transaction is still being aborted");
        }
        if (!fenced) {
            probeAllowedNanos = System.nanoTime() + PROBE_BACKOFF.toNanos();
            LOG.debug("Alert store probe failed, next in {}: {}", PROBE_BACKOFF, failed.getMessage());
        }
    }

    /** Aborts the open transaction after {@code error}; the change was not stored. */
    private AlertStoreException abortAfter(RuntimeException error) {
        if (!isFencing(error)) {
            try {
                producer.abortTransaction();
            } catch (TimeoutException e) {
                abortPending = true; // Retried before the next change.
            } catch (RuntimeException e) {
                return failure(e, "the alert store failed");
            }
        }
        return failure(error, "Kafka did not store the alert change");
    }

    private AlertStoreException failure(RuntimeException error, String what) {
        if (isFencing(error)) {
            if (!fenced) {
                fenced = true;
                LOG.error("Another alerting instance (transactional id {}) took over the alert store; this one no "
                        + "longer changes alerts", transactionalId);
            }
            return fencedException(error);
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof RecordTooLargeException tooLarge) {
                // Permanent: retrying the same record cannot succeed.
                return new AlertStoreException("the alert record is larger than Kafka accepts: " + tooLarge.getMessage(),
                        tooLarge);
            }
        }
        if (fatal(error)) {
            broken = "the alert store's producer failed (" + error.getMessage() + "); restart the service";
            LOG.error(broken);
            return AlertStoreException.broken(what + ": " + error.getMessage(), error);
        }
        return new AlertStoreException(what + ": " + error.getMessage(), error);
    }

    /**
     * Whether the producer can take no transaction any more. A fatal error reaches here as itself,
     * or wrapped: once the producer is in its error state, Kafka's transactional calls (the abort
     * after the error included) throw a KafkaException whose cause is that error.
     */
    static boolean fatal(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalStateException || cause instanceof AuthorizationException
                    || cause instanceof UnsupportedVersionException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isFencing(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    private AlertStoreException fencedException(Throwable cause) {
        return new AlertStoreException("another alerting instance took over (same groupId); this one is fenced off",
                cause, true, false);
    }

    /** True once another instance took over: this one must not change alerts any more. */
    public boolean fenced() {
        return fenced;
    }

    /** Why the store refuses changes until a restart, or null while it works. */
    public String broken() {
        return broken;
    }

    /**
     * Reads the whole topic, keeping the latest record per alert id: the state as the last
     * instance left it. Unreadable records are skipped with a warning rather than stopping the
     * service.
     */
    public static List<AlertRecord> loadAll(String bootstrapServers, Duration timeout) {
        Map<String, AlertRecord> latest = new LinkedHashMap<>();
        TopicFollower.readToEnd(bootstrapServers, Topics.ALERT_STATE, ProtobufSerde.alertRecords().deserializer(),
                "alerting-store-loader", timeout, record -> {
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), record.value());
                    }
                });
        return List.copyOf(latest.values());
    }

    @Override
    public void close() {
        closing = true;
        producer.close(Duration.ofSeconds(5));
    }
}
