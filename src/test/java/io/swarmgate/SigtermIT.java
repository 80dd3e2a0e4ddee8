package io.swarmgate;

import io.swarmgate.bencode.Bencode;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.testing.ProcessOutput;
import io.swarmgate.testing.RawHttp;
import io.swarmgate.testing.UdpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.swarmgate.testing.Wire.id20;
import static io.swarmgate.testing.Wire.pct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tracker as a service manager runs it: its own JVM started with {@code --config}, stopped with SIGTERM.
 * It must answer announces, then shut down in order and exit with status 0 (not the JVM's 143, which systemd
 * and CI read as a crash).
 */
class SigtermIT {
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void sigtermStopsTheTrackerCleanlyWithStatusZero(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("swarmgate.yaml"), """
                http: {port: 0}
                udp: {enabled: false}
                metrics: {enabled: false}
                """);
        Process process = startTracker(dir, config);
        ProcessOutput output = new ProcessOutput(dir.resolve("tracker.log"));
        try {
            int port = output.awaitPorts(process, 90)[0];
            RawHttp.Response r = RawHttp.get(null, "127.0.0.1", port, "/announce?info_hash=" + pct(id20("sigterm"))
                    + "&peer_id=" + pct(id20("p")) + "&port=6881&uploaded=0&downloaded=0&left=0&event=started");
            assertEquals(200, r.status(), r::text);
            Map<String, Object> answer = Bencode.decodeDict(r.body());
            assertTrue(answer.containsKey("interval"), () -> "announce answered " + r.text());

            process.destroy(); // SIGTERM on Linux and macOS
            assertTrue(process.waitFor(15, TimeUnit.SECONDS), () -> "still running 15 s after SIGTERM\n" + output);
            assertEquals(0, process.exitValue(), () -> "exit status after SIGTERM\n" + output);
            String log = output.text();
            assertTrue(log.contains("shutting down") && log.contains("stopped"), () -> "shutdown not logged\n" + log);
            assertTrue(!log.contains("Exception"), () -> "an exception while stopping\n" + log);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * SIGTERM while HTTP (keep-alive and a connection per request) and UDP load run against the tracker's own
     * JVM. What clients would notice: no HTTP answer is ever cut off (a connection either gets its whole answer
     * or is closed before any byte of one: an idle keep-alive connection, or one still in the kernel's accept
     * queue); the listeners close first, so new connections are refused soon after the signal while a request
     * that got in (its request line read before the signal, its headers still trickling in a second after the
     * listener closed: longer than Helidon's own 500 ms grace) is still answered; exit status 0 within the
     * default {@code shutdown-grace-period} of 10 s.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void sigtermUnderLoadAnswersWhatGotInClosesListenersFirstAndExitsZero(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("swarmgate.yaml"), """
                http: {host: 127.0.0.1, port: 0}
                udp: {host: 127.0.0.1, port: 0, workers: 1, connection-id-secret: "sigterm-test-secret-0123456789"}
                metrics: {enabled: false}
                """);
        Process process = startTracker(dir, config);
        ProcessOutput output = new ProcessOutput(dir.resolve("tracker.log"));
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> load = new ArrayList<>();
        try {
            int[] ports = output.awaitPorts(process, 90);
            int http = ports[0];
            int udp = ports[1];
            AtomicInteger httpAnswers = new AtomicInteger();
            AtomicInteger closedBeforeAnswer = new AtomicInteger();
            AtomicInteger udpAnswers = new AtomicInteger();
            ConcurrentLinkedQueue<String> cutOff = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < 4; i++) {
                boolean keepAlive = i % 2 == 0;
                int n = i;
                load.add(Thread.ofPlatform().name("http-load-" + i).start(() -> httpLoad(http, n, keepAlive, stop,
                        httpAnswers, closedBeforeAnswer, cutOff)));
            }
            load.add(Thread.ofPlatform().name("udp-load").start(() -> udpLoad(udp, stop, udpAnswers)));

            // a request that got in before the signal: request line and one header sent, the rest held back
            Socket slow = new Socket("127.0.0.1", http);
            slow.setSoTimeout(15_000);
            OutputStream slowOut = slow.getOutputStream();
            slowOut.write(("GET " + announcePath("slow", 7000) + " HTTP/1.1\r\nHost: tracker\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            slowOut.flush();
            int httpBefore = httpAnswers.get();
            awaitCondition(() -> httpAnswers.get() >= httpBefore + 200 && udpAnswers.get() >= 200, 60,
                    () -> "load not answered: http " + httpAnswers + ", udp " + udpAnswers + "\n" + output);

            long signalled = System.nanoTime();
            process.destroy(); // SIGTERM
            // listeners first: a new connection is refused soon after the signal
            awaitCondition(() -> refused(http), 5, () -> "new HTTP connections still accepted 5 s after SIGTERM");
            double refusedAfter = seconds(System.nanoTime() - signalled);
            // the request that got in is still answered, its headers trickling in for a second after that
            byte[] rest = "X-Slow-Client: 0123456789\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            for (byte b : rest) {
                slowOut.write(b);
                slowOut.flush();
                Thread.sleep(40); // a slow client is the scenario, not a wait for the tracker
            }
            Response slowAnswer = readResponse(slow.getInputStream());
            slow.close();
            assertEquals(200, slowAnswer.status(), "the request that got in before SIGTERM");
            assertTrue(Bencode.decodeDict(slowAnswer.body()).containsKey("interval"), "a whole announce answer");

            assertTrue(process.waitFor(15, TimeUnit.SECONDS), () -> "still running 15 s after SIGTERM\n" + output);
            double exitedAfter = seconds(System.nanoTime() - signalled);
            stop.set(true);
            for (Thread t : load) {
                t.join(10_000);
            }
            assertEquals(0, process.exitValue(), () -> "exit status after SIGTERM\n" + output);
            assertTrue(exitedAfter < 10, "exited " + exitedAfter + " s after SIGTERM, beyond shutdown-grace-period");
            assertTrue(refusedAfter < 5, "refused after " + refusedAfter + " s");
            assertEquals(List.of(), List.copyOf(cutOff), "HTTP answers cut off mid-answer");
            String log = output.text();
            assertTrue(log.contains("shutting down") && log.contains("stopped"), () -> "shutdown not logged\n" + log);
            assertTrue(!log.contains("Exception") && !log.contains("WARN"), () -> "a warning while stopping\n" + log);
            System.out.printf("SIGTERM under load: %d HTTP and %d UDP answers, %d connections closed before an "
                            + "answer, refused after %.2f s, exit 0 after %.2f s%n", httpAnswers.get(),
                    udpAnswers.get(), closedBeforeAnswer.get(), refusedAfter, exitedAfter);
        } finally {
            stop.set(true);
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
            for (Thread t : load) {
                t.join(10_000);
            }
        }
    }

    private static Process startTracker(Path dir, Path config) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        // Surefire puts the test classpath in java.class.path even when it boots from a manifest-only jar
        // native access as config/jvm.options grants it (the UDP batch socket), or the JDK warns on stderr
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("tracker.log").toFile())
                .start();
    }

    /**
     * Announces until the listener refuses connections (or {@code stop}); records every answer that was cut off
     * after its first byte. Bounded: at most 200,000 requests.
     */
    private static void httpLoad(int port, int n, boolean keepAlive, AtomicBoolean stop, AtomicInteger answers,
                                 AtomicInteger closedBeforeAnswer, ConcurrentLinkedQueue<String> cutOff) {
        Socket s = null;
        for (int i = 0; i < 200_000 && !stop.get(); i++) {
            try {
                if (s == null) {
                    s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    s.setSoTimeout(15_000);
                }
            } catch (IOException e) {
                return; // refused: the listener is closed
            }
            String request = "GET " + announcePath("load-" + n + "-" + (i % 50), 6000 + i % 50) + " HTTP/1.1\r\n"
                    + "Host: tracker\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
            try {
                s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
            } catch (IOException e) {
                closedBeforeAnswer.incrementAndGet(); // closed while idle, before the request was read
                s = closeQuietly(s);
                continue;
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                Response r = readResponse(s.getInputStream(), got);
                if (r == null) {
                    closedBeforeAnswer.incrementAndGet();
                    s = closeQuietly(s);
                    continue;
                }
                if (r.status() != 200) {
                    cutOff.add("status " + r.status() + ": " + new String(r.body(), StandardCharsets.ISO_8859_1));
                }
                answers.incrementAndGet();
            } catch (IOException e) {
                if (got.size() == 0) {
                    closedBeforeAnswer.incrementAndGet(); // reset before any byte: never read by the tracker
                } else {
                    cutOff.add(got.size() + " bytes then " + e);
                }
                s = closeQuietly(s);
                continue;
            }
            if (!keepAlive) {
                s = closeQuietly(s);
            }
        }
        closeQuietly(s);
    }

    /** BEP 15 announces on one socket until two in a row go unanswered after {@code stop} or the signal. */
    private static void udpLoad(int port, AtomicBoolean stop, AtomicInteger answers) {
        try (UdpClient c = new UdpClient("127.0.0.1", port, 1)) {
            InfoHash torrent = InfoHash.fromHex("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
            for (int i = 0; i < 200_000 && !stop.get(); i++) {
                try {
                    c.announce(torrent, 1, -1, "");
                    answers.incrementAndGet();
                } catch (IOException | AssertionError e) {
                    return; // no answer: the listener is closed (a timeout or port unreachable)
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private record Response(int status, byte[] body) {
    }

    private static Response readResponse(InputStream in) throws IOException {
        Response r = readResponse(in, new ByteArrayOutputStream());
        if (r == null) {
            fail("connection closed without an answer");
        }
        return r;
    }

    /**
     * One response with a Content-Length body, every byte read also written to {@code got}; null when the
     * connection ended before its first byte; an IOException when it ended (or was reset) within the answer.
     */
    private static Response readResponse(InputStream in, ByteArrayOutputStream got) throws IOException {
        byte[] buf = new byte[4096];
        while (true) {
            int n = in.read(buf);
            if (n < 0) {
                if (got.size() == 0) {
                    return null;
                }
                throw new IOException("end of stream within the answer");
            }
            got.write(buf, 0, n);
            String text = got.toString(StandardCharsets.ISO_8859_1);
            int headerEnd = text.indexOf("\r\n\r\n");
            if (headerEnd < 0) {
                continue;
            }
            String head = text.substring(0, headerEnd).toLowerCase();
            int cl = head.indexOf("content-length:");
            if (cl < 0) {
                throw new IOException("no Content-Length in " + head);
            }
            int eol = head.indexOf("\r\n", cl);
            int length = Integer.parseInt(head.substring(cl + 15, eol < 0 ? head.length() : eol).strip());
            byte[] all = got.toByteArray();
            if (all.length >= headerEnd + 4 + length) {
                return new Response(Integer.parseInt(head.substring(9, 12)),
                        java.util.Arrays.copyOfRange(all, headerEnd + 4, headerEnd + 4 + length));
            }
        }
    }

    private static Socket closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing a socket the tracker already closed
            }
        }
        return null;
    }

    private static String announcePath(String peer, int port) {
        return "/announce?info_hash=" + pct(id20("sigterm-load")) + "&peer_id=" + pct(id20(peer)) + "&port=" + port
                + "&uploaded=0&downloaded=0&left=1";
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition, int seconds,
                                       java.util.function.Supplier<String> message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(message.get());
            }
            Thread.sleep(20); // polling a condition, bounded by the deadline
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
