/**
 * The BEP 15 UDP frontend: worker threads that each own a datagram socket (SO_REUSEPORT spreads packets over
 * them) and reusable buffers, decode with {@link io.swarmgate.protocol.udp.UdpRequests}, check stateless
 * {@link io.swarmgate.frontend.udp.ConnectionIds}, and hand announces and scrapes to the same
 * {@link io.swarmgate.logic.TrackerLogic} the HTTP frontend uses; BEP 41 URL data reaches hooks as request
 * parameters.
 */
package io.swarmgate.frontend.udp;
