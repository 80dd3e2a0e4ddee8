/**
 * Meters shared across components. Each component owns its own meters and gets the {@code MeterRegistry}
 * injected; nothing registers into a global registry.
 */
package io.swarmgate.metrics;
