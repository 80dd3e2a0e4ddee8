package io.swarmgate.hook.jwt;

import com.nimbusds.jose.jwk.JWK;
import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.hook.AnnounceContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The jwt prehook's admission of one announce: {@code cold} verifies the signature and claims every time (token
 * cache off: a peer's first announce with a new token), {@code cached} is a peer re-using its token (one map
 * lookup and the expiry / key checks). Per algorithm, since RS256, ES256 and EdDSA verify at very different cost.
 * Run: {@code ./mvnw -B -Pbench -DskipTests test-compile exec:exec -Dbench.args="-f 1 JwtHookBenchmark"}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class JwtHookBenchmark {
    @Param({"ES256", "EdDSA", "RS256"})
    public String alg;

    @Param({"cold", "cached"})
    public String cache;

    private JwtFixture fixture;
    private JwtHook hook;
    private AnnounceRequest request;
    private Path dir;

    @Setup(Level.Trial)
    public void start() throws Exception {
        JWK key = switch (alg) {
            case "ES256" -> JwtFixture.EC;
            case "EdDSA" -> JwtFixture.ED;
            default -> JwtFixture.RSA;
        };
        dir = Files.createTempDirectory("jwt-bench");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, JwtFixture.jwks(key));
        fixture = new JwtFixture();
        hook = fixture.start(jwks.toUri().toString(), "token-cache-size: " + (cache.equals("cold") ? 0 : 10_000));
        request = JwtFixture.announce(fixture.token(key));
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        fixture.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public AnnounceContext admit() throws ClientError {
        AnnounceContext ctx = new AnnounceContext(request, 1800, 900);
        hook.announce(ctx);
        return ctx;
    }
}
