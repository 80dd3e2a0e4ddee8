/**
 * {@code tracker.rate-limit}: a per-address announce limit in fixed memory, run as the first prehook when
 * configured. Tracker policy, kept apart from the frontends and the store.
 */
package io.swarmgate.hook.ratelimit;
