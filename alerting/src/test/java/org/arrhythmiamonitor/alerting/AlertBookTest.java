package org.arrhythmiamonitor.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import org.arrhythmiamonitor.wire.v1.Alert;
import org.arrhythmiamonitor.wire.v1.Priority;
import org.junit.jupiter.api.Test;

class AlertBookTest {
    static Alert alert(String device, long onsetMs, long endMs) {
        return Alert.newBuilder()
                .setAlertId(device + ":EXTREME_TACHYCARDIA:" + onsetMs)
                .setDeviceId(device)
                .setType("EXTREME_TACHYCARDIA")
                .setPriority(Priority.HIGH)
                .setOnsetTimeMs(onsetMs)
                .setEndTimeMs(endMs)
                .build();
    }

    @Test
    void anAlertDeliveredTwiceIsKeptOnce() {
        AlertBook book = new AlertBook(10);
        assertThat(book.upsert(alert("a", 100, 0))).isEqualTo(AlertBook.Change.NEW);
        assertThat(book.upsert(alert("a", 100, 0))).isEqualTo(AlertBook.Change.UNCHANGED);
        assertThat(book.size()).isEqualTo(1);
    }

    @Test
    void aLaterVersionReplacesTheEarlierOne() {
        AlertBook book = new AlertBook(10);
        book.upsert(alert("a", 100, 0));
        assertThat(book.upsert(alert("a", 100, 900))).isEqualTo(AlertBook.Change.UPDATED);
        assertThat(book.newestFirst(x -> true, 10)).singleElement()
                .satisfies(a -> assertThat(a.getEndTimeMs()).isEqualTo(900));
    }

    @Test
    void newestOnsetFirstFilteredAndLimited() {
        AlertBook book = new AlertBook(10);
        book.upsert(alert("a", 100, 0));
        book.upsert(alert("b", 300, 0));
        book.upsert(alert("a", 200, 0));

        assertThat(book.newestFirst(x -> true, 10)).extracting(Alert::getOnsetTimeMs).containsExactly(300L, 200L, 100L);
        assertThat(book.newestFirst(x -> x.getDeviceId().equals("a"), 1)).extracting(Alert::getOnsetTimeMs)
                .containsExactly(200L);
    }

    @Test
    void theOldestAlertsLeaveFirstWhenFull() {
        AlertBook book = new AlertBook(2);
        book.upsert(alert("a", 100, 0));
        book.upsert(alert("a", 300, 0));
        book.upsert(alert("a", 200, 0));
        assertThat(book.size()).isEqualTo(2);
        assertThat(book.newestFirst(x -> true, 10)).extracting(Alert::getOnsetTimeMs).containsExactly(300L, 200L);
    }
}
