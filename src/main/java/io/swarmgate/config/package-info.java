/**
 * One immutable record per component, built from its Helidon {@code Config} section by {@code create(Config)};
 * defaults in one place per record; contradictions and unknown keys fail at start-up naming the key.
 */
package io.swarmgate.config;
