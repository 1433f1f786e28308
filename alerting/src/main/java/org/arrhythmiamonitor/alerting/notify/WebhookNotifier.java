package org.arrhythmiamonitor.alerting.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.arrhythmiamonitor.alerting.lifecycle.AlertDesk;
import org.arrhythmiamonitor.alerting.lifecycle.AlertJson;
import org.arrhythmiamonitor.wire.v1.AlertRecord;
import org.arrhythmiamonitor.wire.v1.Delivery;
import org.arrhythmiamonitor.wire.v1.DeliveryState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications as signed JSON webhooks. A delivery is retried with exponential backoff
 * until the receiver answers 2xx or the attempts run out; then it goes to the dead-letter topic.
 * One subscriber gets the events of one alert in the order they happened: each waits until the one
 * before it was delivered, dead-lettered or cancelled (a "resolved" must not overtake the "raised"
 * that a retry holds up, nor arrive first because both were sent at once).
 * An escalation stops at its next attempt once its alert was acknowledged or resolved. Each
 * outcome is stored with the alert, so a delivery still pending when the service stops is
 * sent again after the restart. Delivery is at least once; the {@code X-Arrhythmia-Delivery}
 * header (alert id and delivery id) is the same on every attempt so that a receiver can drop a
 * repeat.
 */
public final class WebhookNotifier implements AlertDesk.DeliverySink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);

    private final Vertx vertx;
    private final WebClient client;
    private final NotificationRouter router;
    private final EscalationPolicy escalation;
    private final RetryPolicy retry;
    private final DeadLetters deadLetters;
    private final AlertDesk desk;
    private final MeterRegistry registry;
    /** Deliveries being attempted or waiting for their next attempt: a resume must not start them twice. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** How long a delivery that could not be dead-lettered waits before that is tried again. */
    private static final long DEAD_LETTER_RETRY_MS = 10_000;
    private static final String SUCCESS = "success";
    private static final String FAILURE = "failure";
    /** The events a delivery carries, as its attempts are counted. */
    private static final List<String> EVENTS = Stream.concat(WebhookSubscriber.EVENTS.stream().sorted(),
            Stream.of(NotificationRouter.ESCALATED)).toList();
    /** The latest delivery handed over per alert and subscriber, done when it is settled. */
    private final Map<String, CompletableFuture<Void>> latest = new ConcurrentHashMap<>();
    private final FailingWebhooks failing = new FailingWebhooks();

    private record Job(String alertId, String deliveryId, Delivery delivery, WebhookSubscriber subscriber,
            Buffer body, CompletableFuture<Void> settled) {
        /** One alert's deliveries to one subscriber go out in order. */
        String queue() {
            return alertId + "/" + delivery.getSubscriber();
        }

        String key() {
            return key(alertId, deliveryId);
        }

        static String key(String alertId, String deliveryId) {
            return alertId + "/" + deliveryId;
        }
    }

    public WebhookNotifier(Vertx vertx, NotificationRouter router, EscalationPolicy escalation, RetryPolicy retry,
            DeadLetters deadLetters, AlertDesk desk, MeterRegistry registry) {
        this.vertx = vertx;
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setUserAgent("arrhythmia-monitor-alerting")
                .setConnectTimeout((int) retry.timeout().toMillis()));
        this.router = router;
        this.escalation = escalation;
        this.retry = retry;
        this.deadLetters = deadLetters;
        this.desk = desk;
        this.registry = registry;
        // At zero from the start: a Prometheus rule on increase() misses the first dead letter of a
        // series that appears with it.
        for (WebhookSubscriber subscriber : router.subscribers()) {
            deadLettered(subscriber.id());
            for (String event : EVENTS) {
                attempts(subscriber.id(), event, SUCCESS);
                attempts(subscriber.id(), event, FAILURE);
            }
        }
    }

    private Counter attempts(String subscriber, String event, String outcome) {
        return registry.counter("ecg.notifications.attempts", "subscriber", subscriber, "event", event,
                "outcome", outcome);
    }

    private Counter deadLettered(String subscriber) {
        return registry.counter("ecg.notifications.dead_lettered", "subscriber", subscriber);
    }

    @Override
    public void deliver(AlertRecord record, String deliveryId, Delivery delivery) {
        WebhookSubscriber subscriber = router.subscriber(delivery.getSubscriber());
        if (subscriber == null) {
            // Configured before a restart and removed since: nobody to send it to.
            LOG.warn("Delivery {} of alert {} names webhook '{}', which is no longer configured; dead-lettering it",
                    deliveryId, record.getAlert().getAlertId(), delivery.getSubscriber());
        }
        // The periodic resend hands over deliveries already under way: skip those before encoding.
        if (!inFlight.add(Job.key(record.getAlert().getAlertId(), deliveryId))) {
            return;
        }
        Job job = new Job(record.getAlert().getAlertId(), deliveryId, delivery, subscriber,
                Buffer.buffer(payload(record, deliveryId, delivery).encode()), new CompletableFuture<>());
        CompletableFuture<Void> before = latest.put(job.queue(), job.settled());
        Runnable start = () -> vertx.runOnContext(v -> {
            if (subscriber == null) {
                giveUp(job, 0, "webhook '" + delivery.getSubscriber() + "' is not configured");
            } else {
                attempt(job, 1);
            }
        });
        if (before == null) {
            start.run();
        } else {
            before.whenComplete((done, error) -> start.run());
        }
    }

    /** The job is delivered, dead-lettered or cancelled: the next of its queue may go. */
    private void settled(Job job) {
        job.settled().complete(null);
        latest.remove(job.queue(), job.settled());
    }

    private JsonObject payload(AlertRecord record, String deliveryId, Delivery delivery) {
        JsonObject payload = new JsonObject()
                .put("event", "alert." + delivery.getEvent())
                .put("deliveryId", record.getAlert().getAlertId() + "/" + deliveryId)
                .put("subscriber", delivery.getSubscriber())
                .put("createdAtMs", delivery.getCreatedAtMs())
                .put("alert", AlertJson.toJson(record, false));
        if (delivery.getLevel() > 0) {
            payload.put("escalation", new JsonObject()
                    .put("level", delivery.getLevel())
                    .put("name", escalation.level(delivery.getLevel()).name()));
        }
        return payload;
    }

    private void attempt(Job job, int attempt) {
        if (outlived(job, attempt - 1)) {
            return;
        }
        long timestamp = System.currentTimeMillis();
        client.postAbs(job.subscriber().url().toString())
                .timeout(retry.timeout().toMillis())
                .putHeader("Content-Type", "application/json")
                .putHeader(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
                .putHeader(WebhookSignature.SIGNATURE_HEADER,
                        WebhookSignature.sign(job.subscriber().secret(), timestamp, job.body().getBytes()))
                .putHeader(WebhookSignature.DELIVERY_HEADER, job.key())
                .putHeader(WebhookSignature.EVENT_HEADER, "alert." + job.delivery().getEvent())
                .sendBuffer(job.body())
                .onComplete(result -> {
                    String error = result.failed() ? result.cause().toString() : statusError(result.result());
                    String outcome = error == null ? SUCCESS : FAILURE;
                    attempts(job.delivery().getSubscriber(), job.delivery().getEvent(), outcome).increment();
                    if (error == null) {
                        failing.succeeded(job.delivery().getSubscriber());
                    } else {
                        failing.failed(job.delivery().getSubscriber(), error, System.currentTimeMillis());
                    }
                    if (error == null) {
                        finish(job, DeliveryState.DELIVERED, attempt, null);
                    } else if (attempt >= retry.maxAttempts()) {
                        // Not after an acknowledgement during the last attempt: operators replay dead
                        // letters, and this one would page about an alert someone already took.
                        if (!outlived(job, attempt)) {
                            giveUp(job, attempt, error);
                        }
                    } else {
                        LOG.info("Webhook {} failed attempt {} of {} ({}); next in {} ms", job.key(), attempt,
                                retry.maxAttempts(), error, retry.delayAfter(attempt).toMillis());
                        vertx.setTimer(retry.delayAfter(attempt).toMillis(), t -> attempt(job, attempt + 1));
                    }
                });
    }

    /**
     * An escalation whose alert was acknowledged or resolved since it was queued is not sent (any
     * more): the acknowledgement cancelled it in the store, or, stored pending by a version that did
     * not, it is cancelled now. Read before every attempt, so a retry stops at its next one.
     */
    private boolean outlived(Job job, int attemptsMade) {
        if (!desk.ledger().outlived(job.alertId(), job.delivery())) {
            return false;
        }
        LOG.info("Webhook {} not sent again after {} attempt(s): its alert is no longer open", job.key(),
                attemptsMade);
        finish(job, DeliveryState.CANCELLED, attemptsMade, null);
        return true;
    }

    private static String statusError(HttpResponse<Buffer> response) {
        int status = response.statusCode();
        return status >= 200 && status < 300 ? null : "HTTP " + status;
    }

    private void giveUp(Job job, int attempts, String error) {
        JsonObject letter = new JsonObject()
                .put("subscriber", job.delivery().getSubscriber())
                .put("url", job.subscriber() != null ? job.subscriber().url().toString() : null)
                .put("deliveryId", job.key())
                .put("attempts", attempts)
                .put("lastError", error)
                .put("failedAtMs", System.currentTimeMillis())
                .put("payload", new JsonObject(job.body()));
        vertx.executeBlocking(() -> {
            deadLetters.publish(job.alertId(), letter);
            return null;
        }, false).onComplete(result -> {
            if (result.failed()) {
                // Not in the dead-letter topic: it stays pending (a restart tries it again) and keeps
                // its place, so the subscriber's later events of the alert do not overtake it.
                LOG.error("Webhook {} failed {} times and could not be dead-lettered ({}); trying that again in {} ms",
                        job.key(), attempts, result.cause().toString(), DEAD_LETTER_RETRY_MS);
                vertx.setTimer(DEAD_LETTER_RETRY_MS, t -> giveUp(job, attempts, error));
                return;
            }
            deadLettered(job.delivery().getSubscriber()).increment();
            LOG.warn("Webhook {} given up after {} attempts ({}); written to the dead-letter topic", job.key(),
                    attempts, error);
            finish(job, DeliveryState.DEAD_LETTERED, attempts, error);
        });
    }

    private void finish(Job job, DeliveryState state, int attempts, String error) {
        desk.deliveryOutcome(job.alertId(), job.deliveryId(), state, attempts, error).whenComplete((r, e) -> {
            inFlight.remove(job.key());
            settled(job);
            if (e != null) {
                LOG.warn("Outcome of webhook {} not stored ({}); it will be sent again after a restart", job.key(),
                        e.toString());
            }
        });
    }

    /**
     * The subscribers whose every attempt since their last success failed, by id: since when, how
     * many attempts and the last error.
     */
    public Map<String, Map<String, Object>> failingSubscribers() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        failing.snapshot().forEach((id, f) -> out.put(id, f.toMap()));
        return out;
    }

    /** Deliveries being attempted or waiting for a retry. */
    public int inFlight() {
        return inFlight.size();
    }

    @Override
    public void close() {
        client.close();
    }
}
