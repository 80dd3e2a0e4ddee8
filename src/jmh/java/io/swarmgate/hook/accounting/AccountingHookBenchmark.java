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
 * What the accounting posthook adds to one announce, in the cases that matter, with and without a subject.
 * Nothing is flushed (the hook is not started), so this is the announce path alone; the requests are built
 * in the setup, so {@code -prof gc}'s B/op is what the hook itself allocates.
 * <ul>
 *   <li>{@code repeat}: a known peer's regular announce with grown totals (the common case: a delta, one or
 *   two row updates); one in {@value #ROUNDS} goes back to lower totals (a client restart);</li>
 *   <li>{@code firstThenStopped}: a new peer's {@code started} (a new baseline) and its {@code stopped} (the
 *   baseline forgotten), two announces per op, so that the table does not grow across iterations.</li>
 * </ul>
 * Run: ./mvnw -B -Pbench -DskipTests test-compile exec:exec -Dbench.args="AccountingHookBenchmark -f 1 -wi 3 -i 5 -prof gc"
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class AccountingHookBenchmark {
    private static final int PEERS = 50_000;
    private static final int TORRENTS = 1_000;
    private static final int ROUNDS = 8;

    @Param({"false", "true"})
    public boolean subject;

    private AccountingHook hook;
    /** [round][peer]: round r reports r MiB downloaded. */
    private AnnounceContext[][] repeats;
    private AnnounceContext[] newcomers;
    private AnnounceContext[] leavers;
    private int next;
    private int round;
    private int nextNewcomer;

    @Setup
    public void setUp() {
        hook = AccountingHook.unstarted(new AccountingConfig("jdbc:postgresql://127.0.0.1:1/none",
                        Duration.ofHours(1), 100_000, "sub"),
                new HookServices(InstantSource.system(), () -> null, new SimpleMeterRegistry(), null));
        repeats = new AnnounceContext[ROUNDS][PEERS];
        for (int r = 0; r < ROUNDS; r++) {
            for (int i = 0; i < PEERS; i++) {
                repeats[r][i] = context(i, r * 1_048_576L, r == 0 ? Event.STARTED : Event.NONE);
            }
        }
        for (int i = 0; i < PEERS; i++) {
            hook.announce(repeats[0][i]);
        }
        round = 1;
        newcomers = new AnnounceContext[PEERS];
        leavers = new AnnounceContext[PEERS];
        for (int i = 0; i < PEERS; i++) {
            newcomers[i] = context(PEERS + i, 0, Event.STARTED);
            leavers[i] = context(PEERS + i, 4096, Event.STOPPED);
        }
    }

    private AnnounceContext context(int i, long downloaded, Event event) {
        AnnounceRequest r = new AnnounceRequest(new InfoHash(i % TORRENTS, 1, 2),
                new Peer(new PeerId(i, 3, 4), IpAddress.ipv4(0x0a000000 | i), 6881), downloaded / 2, downloaded,
                100, event, 50, true, true, RequestMeta.of(Frontend.UDP));
        AnnounceContext ctx = new AnnounceContext(r, 1800, 900);
        if (subject) {
            ctx.verifiedClaims(Map.of("sub", "robot-" + (i % 100)));
        }
        return ctx;
    }

    /** A known peer's next announce (contexts are built outside the measured call). */
    @Benchmark
    public void repeat() {
        int i = next;
        hook.announce(repeats[round][i]);
        if (i + 1 == PEERS) {
            next = 0;
            round = round + 1 == ROUNDS ? 0 : round + 1;
        } else {
            next = i + 1;
        }
    }

    /** A new peer's started, then its stopped: two announces. */
    @Benchmark
    public void firstThenStopped() {
        int i = nextNewcomer;
        nextNewcomer = i + 1 == PEERS ? 0 : i + 1;
        hook.announce(newcomers[i]);
        hook.announce(leavers[i]);
    }

    /** Not closed: its final flush would spend its shutdown budget on the unreachable database; the fork ends. */
    @TearDown
    public void tearDown() {
        repeats = null;
        newcomers = null;
        leavers = null;
    }
}
