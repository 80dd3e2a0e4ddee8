/**
 * A pure codec for the UDP tracker protocol (BEP 15) with URL data options (BEP 41), in both directions: the
 * tracker decodes requests and encodes responses, tests and load generators encode requests and decode
 * responses with the same code. No sockets, no Helidon, no logging: bytes in, immutable values out, and the
 * only exception malformed input can cause is {@link io.swarmgate.protocol.udp.UdpCodecException}. Encoders
 * write into caller-owned {@link java.nio.ByteBuffer}s so a server reuses one buffer per worker.
 */
package io.swarmgate.protocol.udp;
