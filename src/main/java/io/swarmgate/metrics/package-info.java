/**
 * Meters and the operator's listener. {@link io.swarmgate.metrics.Meters} owns the process's Prometheus registry
 * with the JVM and process binders; each component registers its own meters into the injected registry
 * (nothing global). {@link io.swarmgate.metrics.MetricsServer} serves {@code /metrics}, {@code /health/live}
 * and {@code /health/ready} on a listener of its own.
 */
package io.swarmgate.metrics;
