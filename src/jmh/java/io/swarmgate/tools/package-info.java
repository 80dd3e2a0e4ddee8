/**
 * Measurement tools run with the {@code bench} Maven profile, outside the tracker: {@link io.swarmgate.tools.UdpLoad}
 * drives a tracker on this machine with BEP 15 announces and reports throughput, loss and latency.
 */
package io.swarmgate.tools;
