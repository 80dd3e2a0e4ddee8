package io.swarmgate.frontend.http;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;

/** {@link TrackerRoutesCases} in-process: the routing alone, no listener and no socket. */
@RoutingTest
class TrackerRoutesTest extends TrackerRoutesCases {

    TrackerRoutesTest(DirectClient client) {
        super(client.clientHost("127.0.0.1"));
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routes(routing);
    }
}
