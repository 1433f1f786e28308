package org.arrhythmiamonitor.launcher;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.BindException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts resources in order and stops them in reverse, on failure and on Ctrl-C, so that
 * services close their Kafka clients before the broker stops and state is flushed on the way out.
 */
final class Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private record Named(String name, AutoCloseable resource) {
    }

    private final Deque<Named> started = new ArrayDeque<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Remembers a started resource; it is closed before every resource added earlier. */
    <T extends AutoCloseable> T add(String name, T resource) {
        started.push(new Named(name, resource));
        return resource;
    }

    /** A Vert.x instance for the services, closed after them. */
    Vertx vertx() {
        Vertx vertx = Vertx.vertx();
        add("Vert.x", () -> vertx.close().toCompletionStage().toCompletableFuture().join());
        return vertx;
    }

    /** Waits for a service's start and explains a taken port in terms of the flag that sets it. */
    static <T> T await(Future<T> starting, String service, int port, String portFlag) {
        try {
            return starting.toCompletionStage().toCompletableFuture().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BindException) {
                // The port is the usual fault (in use, or under 1024 without the right); an address that
                // is not this machine's is the other.
                String advice = String.valueOf(cause.getMessage()).contains("assign requested address")
                        ? "Check the address it listens on (--host): it must be one of this machine's, or 0.0.0.0 for all."
                        : "Choose another port with " + portFlag + ".";
                throw new LaunchException(service + " could not listen on port " + port + ": " + cause.getMessage()
                        + ". " + advice, cause);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new LaunchException(service + " did not start: " + cause.getMessage(), cause);
        }
    }

    /**
     * Runs one service until the JVM is asked to stop: {@code start} starts it on a new lifecycle
     * and returns the line to print once it is ready. A failed start stops what did start.
     */
    static int runService(Function<Lifecycle, String> start) {
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.installShutdownHook();
        System.out.println(lifecycle.startOrUndo(() -> start.apply(lifecycle)));
        lifecycle.awaitShutdown();
        return 0;
    }

    /** Runs {@code start}; when it fails, closes whatever it had started before passing the failure on. */
    <T> T startOrUndo(Supplier<T> start) {
        try {
            return start.get();
        } catch (RuntimeException e) {
            closeAll();
            throw e;
        }
    }

    /** On Ctrl-C or SIGTERM, closes everything started so far, in reverse order, before the JVM exits. */
    void installShutdownHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll();
            stopped.countDown();
        }, "shutdown"));
    }

    /** Blocks until the shutdown hook has closed everything. */
    void awaitShutdown() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes what was started, newest first; a failure to close one thing does not stop the rest. */
    synchronized void closeAll() {
        while (!started.isEmpty()) {
            Named named = started.pop();
            try {
                named.resource().close();
                LOG.info("Stopped {}", named.name());
            } catch (Exception e) {
                LOG.warn("Stopping {} failed: {}", named.name(), e.getMessage());
            }
        }
    }
}
