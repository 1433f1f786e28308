package org.arrhythmiamonitor.alerting;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Evidence;
import org.arrhythmiamonitor.wire.v1.Priority;

/** Alerts and a clock for the alerting tests. */
public final class TestAlerts {
    private TestAlerts() {
    }

    public static Alert alert(String deviceId, String type, Priority priority, long onsetTimeMs) {
        return Alert.newBuilder()
                .setAlertId(deviceId + ":" + type + ":" + onsetTimeMs)
                .setDeviceId(deviceId)
                .setType(type)
                .setPriority(priority)
                .setOnsetSample(onsetTimeMs / 4)
                .setOnsetTimeMs(onsetTimeMs)
                .setMessage(type + " on " + deviceId)
                .setHeartRateBpm(180)
                .setBeatCount(8)
                .setEvidence(Evidence.newBuilder().setStartTimeMs(onsetTimeMs - 5_000).setEndTimeMs(onsetTimeMs + 5_000))
                .build();
    }

    public static Alert ended(Alert alert, long endTimeMs) {
        return alert.toBuilder().setEndTimeMs(endTimeMs).build();
    }

    /** A clock the test moves by hand: escalations become due without waiting. */
    public static final class ManualClock extends Clock {
        private final AtomicLong millis;

        public ManualClock(long startMs) {
            this.millis = new AtomicLong(startMs);
        }

        public void advanceSeconds(long seconds) {
            millis.addAndGet(seconds * 1000);
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
