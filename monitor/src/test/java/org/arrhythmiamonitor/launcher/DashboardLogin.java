package org.arrhythmiamonitor.launcher;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/** A logged-in user of the alerting API, for the launcher's tests: the session cookie goes with every request. */
record DashboardLogin(WebClient client, String host, int port, String cookie) {

    static DashboardLogin login(WebClient client, String host, int port, String username, String password) {
        HttpResponse<Buffer> response = client.post(port, host, "/api/login")
                .sendJsonObject(new JsonObject().put("username", username).put("password", password)).await();
        if (response.statusCode() != 200) {
            throw new AssertionError("login as " + username + " failed: " + response.statusCode() + " "
                    + response.bodyAsString());
        }
        String cookie = response.cookies().stream().filter(c -> c.startsWith("amsession=")).findFirst()
                .orElseThrow();
        return new DashboardLogin(client, host, port, cookie.substring(0, cookie.indexOf(';')));
    }

    HttpResponse<Buffer> get(String path) {
        return client.get(port, host, path).putHeader("Cookie", cookie).send().await();
    }

    JsonArray alerts(String query) {
        return client.get(port, host, "/api/alerts" + query).putHeader("Cookie", cookie).send().await()
                .bodyAsJsonObject().getJsonArray("alerts");
    }
}
