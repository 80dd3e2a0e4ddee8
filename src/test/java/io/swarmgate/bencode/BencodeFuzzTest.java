package io.swarmgate.bencode;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The bencode decoder never throws anything but {@link BencodeException}, whatever the bytes. Jazzer's regression
 * mode (the default) replays the corpus under {@code src/test/resources/.../BencodeFuzzTestInputs}; JAZZER_FUZZ=1
 * fuzzes.
 */
class BencodeFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void decodeThrowsOnlyBencodeException(byte[] data) {
        try {
            Bencode.decode(data);
        } catch (BencodeException expected) {
            // the documented refusal
        }
    }
}
