package io.swarmgate.hook.accounting;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.Peer;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.HookServices;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the accounting posthook adds to one announce: the peer's delta and the row updates, with and without a
 * subject. Nothing is flushed (the hook is not started), so this is the announce path alone.
 * Run: ./mvnw -B -Pbench -DskipTests test-compile exec:exec -Dbench.args="AccountingHookBenchmark -f 1 -wi 3 -i 5"
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class AccountingHookBenchmark {
    private static final int PEERS = 50_000;
    private static final int TORRENTS = 1_000;

    @Param({"false", "true"})
    public boolean subject;

    private AccountingHook hook;
    private AnnounceContext[] contexts;
    private int next;

    @Setup
    public void setUp() {
        hook = AccountingHook.unstarted(new AccountingConfig("jdbc:postgresql://127.0.0.1:1/none",
                        Duration.ofHours(1), 100_000, "sub"),
                new HookServices(InstantSource.system(), () -> null, new SimpleMeterRegistry(), null));
        contexts = new AnnounceContext[PEERS];
        for (int i = 0; i < PEERS; i++) {
            contexts[i] = context(i, 0, Event.STARTED);
            hook.announce(contexts[i]);
        }
    }

    private AnnounceContext context(int i, long downloaded, Event event) {
        AnnounceRequest r = new AnnounceRequest(new InfoHash(i % TORRENTS, 1, 2),
                new Peer(new PeerId(i, 3, 4), IpAddress.ipv4(0x0a000000 | i), 6881), 0, downloaded, 100, event,
                50, true, true, RequestMeta.of(Frontend.UDP));
        AnnounceContext ctx = new AnnounceContext(r, 1800, 900);
        if (subject) {
            ctx.verifiedClaims(Map.of("sub", "robot-" + (i % 100)));
        }
        return ctx;
    }

    /** One announce of the next peer (contexts are built outside the measured call). */
    @Benchmark
    public void announce() {
        int i = next;
        next = i + 1 == PEERS ? 0 : i + 1;
        hook.announce(contexts[i]);
    }

    /** Not closed: its final flush would spend its shutdown budget on the unreachable database; the fork ends. */
    @TearDown
    public void tearDown() {
        contexts = null;
    }
}
