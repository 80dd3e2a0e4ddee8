package io.swarmgate.frontend.http;

import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;

/** {@link TrackerRoutesCases} over the network: a real Helidon listener on 127.0.0.1 and an HTTP/1.1 client. */
@ServerTest
class TrackerRoutesIT extends TrackerRoutesCases {

    TrackerRoutesIT(Http1Client client) {
        super(client);
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) {
        server.host("127.0.0.1").routing(TrackerRoutesCases::routes);
    }
}
