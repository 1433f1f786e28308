package org.arrhythmiamonitor.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/** Starts a service's HTTP server, undoing the rest of the service's start when the port cannot be bound. */
public final class HttpEndpoint {
    private HttpEndpoint() {
    }

    /**
     * Serves {@code router} on {@code host:port}, answering requests the HTTP decoder refuses as
     * {@link RefusedRequest}s. When listening fails, {@code cleanupOnFailure} runs on a worker
     * thread (it closes Kafka clients, which blocks) before the returned future fails with the
     * listen error.
     */
    public static Future<HttpServer> listen(Vertx vertx, Router router, String host, int port,
            AutoCloseable cleanupOnFailure) {
        HttpServerOptions options = new HttpServerOptions();
        return vertx.createHttpServer(options)
                .requestHandler(router)
                .invalidRequestHandler(request -> RefusedRequest.of(request, options).send(request))
                .listen(port, host)
                .recover(error -> vertx.executeBlocking(() -> {
                    cleanupOnFailure.close();
                    return null;
                }).transform(ignored -> Future.<HttpServer>failedFuture(error)));
    }
}
