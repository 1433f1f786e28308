package org.arrhythmiamonitor.alerting.notify;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Delivery;
import org.arrhythmiamonitor.wire.v1.DeliveryState;

/**
 * Decides which webhooks hear of a lifecycle event: the subscribers whose filters (event,
 * priority, device group) match for raised, acknowledged and resolved; the roster level's
 * subscribers for an escalation, whatever their filters, because the roster addresses them.
 */
public final class NotificationRouter {
    /** The event of escalation deliveries: the only ones an acknowledgement cancels. */
    public static final String ESCALATED = "escalated";

    private final Map<String, WebhookSubscriber> subscribers = new LinkedHashMap<>();
    private final DeviceGroups groups;
    private final EscalationPolicy escalation;

    public NotificationRouter(List<WebhookSubscriber> subscribers, DeviceGroups groups, EscalationPolicy escalation) {
        for (WebhookSubscriber subscriber : subscribers) {
            if (this.subscribers.put(subscriber.id(), subscriber) != null) {
                throw new IllegalArgumentException("webhooks: id '" + subscriber.id() + "' is used twice");
            }
            groups.requireDefined("webhooks." + subscriber.id() + ".deviceGroups", subscriber.deviceGroups());
        }
        for (EscalationPolicy.RosterLevel level : escalation.levels()) {
            for (String id : level.subscribers()) {
                if (!this.subscribers.containsKey(id)) {
                    throw new IllegalArgumentException("escalation.levels." + level.name() + ": no webhook with id '"
                            + id + "' (defined: " + this.subscribers.keySet() + ")");
                }
            }
        }
        this.groups = groups;
        this.escalation = escalation;
    }

    public WebhookSubscriber subscriber(String id) {
        return subscribers.get(id);
    }

    public List<WebhookSubscriber> subscribers() {
        return List.copyOf(subscribers.values());
    }

    /** Deliveries of a raised, acknowledged or resolved event, keyed by delivery id. */
    public Map<String, Delivery> route(Alert alert, String event, long nowMs) {
        Map<String, Delivery> deliveries = new LinkedHashMap<>();
        for (WebhookSubscriber subscriber : subscribers.values()) {
            if (subscriber.events().contains(event) && subscriber.priorities().contains(alert.getPriority())
                    && groups.contains(subscriber.deviceGroups(), alert.getDeviceId())) {
                deliveries.put(event + ":" + subscriber.id(), pending(subscriber.id(), event, 0, nowMs));
            }
        }
        return deliveries;
    }

    /** Deliveries of escalation step {@code step} (1, 2, ...) to roster level {@code level}. */
    public Map<String, Delivery> routeEscalation(int level, int step, long nowMs) {
        Map<String, Delivery> deliveries = new LinkedHashMap<>();
        for (String id : escalation.level(level).subscribers()) {
            deliveries.put("escalated-" + step + ":" + id, pending(id, ESCALATED, level, nowMs));
        }
        return deliveries;
    }

    private static Delivery pending(String subscriber, String event, int level, long nowMs) {
        return Delivery.newBuilder()
                .setSubscriber(subscriber)
                .setEvent(event)
                .setLevel(level)
                .setState(DeliveryState.PENDING)
                .setCreatedAtMs(nowMs)
                .build();
    }
}
