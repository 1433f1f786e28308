package org.arrhythmiamonitor.kafka;

/** Kafka could not be reached or refused an administrative request; the message says which and why. */
public class KafkaUnavailableException extends RuntimeException {
    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
