package io.swarmgate.frontend.udp;

/**
 * {@link UdpFrontendIT} with {@code udp.batch-size: 1}: the JDK's {@code DatagramChannel}, one datagram per system
 * call, which is also what a platform without batch sockets (not Linux, a JDK before 22) serves through. Every case
 * must hold there too.
 */
class UdpFrontendChannelIT extends UdpFrontendIT {
    @Override
    int batchSize() {
        return 1;
    }
}
