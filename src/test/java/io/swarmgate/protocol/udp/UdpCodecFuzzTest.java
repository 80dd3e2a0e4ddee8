package io.swarmgate.protocol.udp;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.ByteBuffer;

/**
 * The UDP request decoder (BEP 15 connect, announce with BEP 41 url data, scrape) never throws anything but
 * {@link UdpCodecException}, whatever the packet. Regression mode replays the corpus under
 * {@code src/test/resources/.../UdpCodecFuzzTestInputs}; JAZZER_FUZZ=1 fuzzes.
 */
class UdpCodecFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void decodeRequestThrowsOnlyUdpCodecException(byte[] packet) {
        try {
            UdpRequests.decode(ByteBuffer.wrap(packet));
        } catch (UdpCodecException expected) {
            // the documented refusal: no answer, or an error packet with its transaction id
        }
    }
}
