package io.swarmgate.storage.redis;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.RedisOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Commands encoded by {@link Resp} are byte for byte what Jedis' own encoder sends for the same arguments. */
class RespTest {
    private static byte[] jedis(CommandArguments args) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RedisOutputStream out = new RedisOutputStream(bytes);
        Protocol.sendCommand(out, args);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void numbersPartsAndJoinedPartsAreEncodedAsJedisEncodesTheirBytes() throws IOException {
        long[] numbers = {0, 7, 9, 10, 99, 100, 12345, -1, -10, -987654321, Long.MAX_VALUE, Long.MIN_VALUE};
        byte[] prefix = ascii("sg:{0123456789abcdef0123456789abcdef01234567}:");
        byte[] big = new byte[70_000]; // a length of five digits
        big[12] = '\r';
        byte[] encoded = Resp.command(p -> {
            p.bulk(ascii("FCALL"));
            p.bulk(prefix, ascii("4s"));
            p.bulk(prefix, 4, 40);
            p.bulk(new byte[0]);
            p.bulk(big);
            for (long n : numbers) {
                p.number(n);
            }
        });
        CommandArguments expected = new CommandArguments(Protocol.Command.FCALL)
                .add(ascii("sg:{0123456789abcdef0123456789abcdef01234567}:4s"))
                .add(ascii("0123456789abcdef0123456789abcdef01234567"))
                .add(new byte[0])
                .add(big);
        for (long n : numbers) {
            expected.add(ascii(Long.toString(n)));
        }
        assertArrayEquals(jedis(expected), encoded);
    }

    @Test
    void aCommandBuiltAsJedisArgumentsIsEncodedTheSame() throws IOException {
        CommandArguments select = new CommandArguments(Protocol.Command.SELECT).add(3);
        assertArrayEquals(jedis(select), Resp.command(select));
        // twelve parts: a count of two digits
        CommandArguments many = new CommandArguments(Protocol.Command.DEL);
        for (int i = 0; i < 11; i++) {
            many.add("key" + i);
        }
        assertArrayEquals(jedis(many), Resp.command(many));
    }

    @Test
    void aDescriptionThatChangesBetweenItsTwoPassesIsRefused() {
        AtomicLong n = new AtomicLong(5);
        assertThrows(IllegalStateException.class, () -> Resp.command(p -> p.number(n.getAndAdd(10))));
    }
}
