package io.swarmgate.metrics;

import io.helidon.webserver.http.HttpRules;

/**
 * Routes a component adds to the operator's listener (the metrics listener), beside /metrics and /health:
 * read-only views for operators, served under the same exposure as the metrics, never on the tracker's ports.
 * A hook that implements this gets its routes added when the metrics listener is enabled.
 */
public interface OperatorRoutes {

    void routing(HttpRules rules);
}
