/**
 * The {@code accounting} posthook: per-peer transfer deltas and completed/announce counts, aggregated in memory
 * per (info_hash, day) and per (subject, info_hash, day) and added to PostgreSQL in one batched transaction per
 * {@code flush-interval}, so that the database never sees announce traffic and an unreachable database never
 * slows an announce. {@code GET /accounting/...} on the metrics listener reads the totals back.
 */
package io.swarmgate.hook.accounting;
