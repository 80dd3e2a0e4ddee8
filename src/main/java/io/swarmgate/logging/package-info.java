/**
 * Operator-facing logs: {@link io.swarmgate.logging.LogSetup} routes {@code System.Logger} through
 * java.util.logging to one line per event on standard error, as text or JSON ({@code --log-format}); and
 * {@link io.swarmgate.logging.ConfigSummary} renders the effective configuration, secrets redacted, for the
 * start-up line. Requests are never logged one by one: metrics count them.
 */
package io.swarmgate.logging;
