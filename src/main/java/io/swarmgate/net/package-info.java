/**
 * UDP sockets that move many datagrams per system call. The JDK's {@code DatagramChannel} makes one system call
 * per datagram in and one per datagram out; on Linux {@code recvmmsg}/{@code sendmmsg} take a batch, which is most
 * of a small UDP exchange's cost (docs/performance.md). The native implementation needs JDK 22+ (the foreign
 * function API) and Linux on x86-64 or AArch64; {@link BatchSocket#open} says when it is not there, and callers
 * fall back to the JDK's channel. No tracker types here: the UDP frontend and the load generator both use it.
 */
package io.swarmgate.net;
