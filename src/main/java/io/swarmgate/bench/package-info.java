/**
 * {@code swarmgate bench}: a load generator for capacity planning, shipped in the tracker's jar and built on the
 * project's own codecs. It runs a closed loop with a bounded number of requests in flight against one tracker
 * (BEP 15 over UDP, or HTTP with or without keep-alive), drains what is in flight at the end so its totals can be
 * compared with the tracker's own counters, and reports throughput and latency percentiles.
 */
package io.swarmgate.bench;
