package io.swarmgate.hook.jwt;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

import java.util.concurrent.TimeUnit;

/** Serves a JWK set that tests change at will, or misbehaves like a registry on a bad day. */
final class JwksDispatcher extends Dispatcher {
    enum Mode { OK, DOWN, SLOW_HEADERS, TRICKLE, GARBAGE, EMPTY_SET, HUGE }

    volatile String body;
    volatile Mode mode = Mode.OK;

    JwksDispatcher(String body) {
        this.body = body;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        return switch (mode) {
            case OK -> json(body).build();
            case DOWN -> new MockResponse.Builder().code(503).body("maintenance").build();
            case SLOW_HEADERS -> json(body).headersDelay(3, TimeUnit.SECONDS).build();
            case TRICKLE -> json(body).throttleBody(16, 100, TimeUnit.MILLISECONDS).build();
            case GARBAGE -> json("<html>this is not a key set</html>").build();
            case EMPTY_SET -> json("{\"keys\":[]}").build();
            case HUGE -> json("{\"keys\":[], \"pad\":\"" + "x".repeat(2 << 20) + "\"}").build();
        };
    }

    private static MockResponse.Builder json(String body) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(body);
    }
}
