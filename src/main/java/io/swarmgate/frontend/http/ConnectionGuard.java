package io.swarmgate.frontend.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the HTTP listener does with requests that never reach a route: broken ones, cut-short ones and slow ones.
 * A client's broken request costs a counter increment ({@code swarmgate.http.rejected{result}}) and at most one
 * summary line per {@link #SUMMARY_INTERVAL}, never a stack trace.
 *
 * <p>Why this exists: Helidon 4.4 reads the header block outside its routing, and a connection that ends inside
 * it ({@code DataReader.InsufficientDataAvailableException}) lands in {@code Http1Connection}'s catch-all as an
 * internal error: a 500 and a WARNING with a full stack trace, one per cut-short request, which any client can
 * trigger at will. Helidon calls the listener's {@link DirectHandler} for that event before it decides whether to
 * log (it logs only when the answer is a 500), and its HTTP/1 receive listener is told when a request line has
 * been read ({@link #prologue}) and when its headers are complete ({@link #headers}); both run on the
 * connection's own thread. So a failure reported while this thread is between the two happened while reading
 * headers: the client's fault, answered {@code 400} (or {@code 408} after the timeout), counted, not logged.
 * Internal errors anywhere else keep Helidon's answer and its log line, but one: Helidon's request-line parser
 * throws outside its error handling on a method that is not an HTTP token (a non-ASCII, control or separator
 * byte), which reaches the same catch-all. The guard's send listener ({@link #sendListener}) is told when an
 * answer's status goes out, so the guard knows whether its thread is routing a request (from its headers to its
 * answer's status) or reading the next request line: an internal error while reading one is the client's broken
 * request line, answered {@code 400}, counted, not logged.
 *
 * <p>The same state gives {@code http.request-timeout}: a connection whose headers are not complete this long
 * after its request line has its thread interrupted, which closes its socket (blocking channel I/O is
 * interruptible). Until a complete request line has arrived a connection counts as idle, and Helidon's
 * idle-connection check ({@code http.idle-timeout}) closes it; the request line is at most 8 KiB.
 */
public final class ConnectionGuard implements Http1ConnectionListener, DirectHandler, AutoCloseable {
    private static final Logger LOG = System.getLogger(ConnectionGuard.class.getName());
    /** The tracker's HTTP listener's counter. */
    static final String METRIC = "swarmgate.http.rejected";
    /** The name Helidon gives its default HTTP/1 protocol configuration. */
    private static final String HTTP1_PROTOCOL = "http_1_1";
    static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(1);

    /** Whether this connection thread routes a request now: from its headers until its answer's status. */
    private static final ThreadLocal<Boolean> ROUTING = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private static final int PENDING = 0;
    private static final int DONE = 1;
    private static final int EXPIRED = 2;

    /** One request between its request line and the end of its headers. */
    private static final class Pending {
        final Thread thread;
        final long deadline;
        final AtomicInteger state = new AtomicInteger(PENDING);

        Pending(Thread thread, long deadline) {
            this.thread = thread;
            this.deadline = deadline;
        }
    }

    /** Result labels, a fixed set. */
    enum Result {
        TRUNCATED("truncated"), TIMEOUT("timeout"), BAD_REQUEST("bad_request"), TOO_LARGE("too_large"),
        NOT_FOUND("not_found"), BAD_VERSION("bad_version"), OTHER("other");

        final String label;

        Result(String label) {
            this.label = label;
        }
    }

    private final String listener;
    private final String metric;
    private final long timeoutNanos;
    /** Keyed by the connection thread; at most one entry per open connection (http.max-connections). */
    private final ConcurrentMap<Thread, Pending> pending = new ConcurrentHashMap<>();
    private final Map<Result, Counter> counters = new java.util.EnumMap<>(Result.class);
    private final Map<Result, AtomicLong> sinceSummary = new java.util.EnumMap<>(Result.class);
    private final ScheduledExecutorService timer;
    private long lastSummary = System.nanoTime();

    /**
     * @param listener the listener's name in the summary line ("http", "metrics")
     * @param metric   the counter's name, tagged {@code result}
     */
    ConnectionGuard(String listener, String metric, Duration requestTimeout, MeterRegistry meters) {
        this.listener = listener;
        this.metric = metric;
        this.timeoutNanos = requestTimeout.toNanos();
        for (Result r : Result.values()) {
            counters.put(r, Counter.builder(metric)
                    .description("HTTP requests refused before reaching a route (" + listener + " listener):"
                            + " malformed, cut short, too large, too slow, unknown path or method")
                    .tag("result", r.label)
                    .register(meters));
            sinceSummary.put(r, new AtomicLong());
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "swarmgate-http-request-timeout");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.clamp(timeoutNanos / 10, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1));
        timer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.NANOSECONDS);
    }

    /**
     * Guards a listener: {@code builder} gets exactly one protocol, {@code http1} (named as Helidon's default
     * HTTP/1, with this guard as its receive and send listener), and this guard as every direct handler. With
     * exactly one protocol candidate Helidon hands every connection to HTTP/1 at once (and its idle check covers
     * it) instead of first waiting for bytes to tell protocols apart: with two, a connection that never sends a
     * byte was never closed. Close the guard when the server stops.
     *
     * @param listener the listener's name in the log's summary line
     * @param metric   the name of its counter of refused requests, tagged {@code result}
     */
    public static ConnectionGuard install(WebServerConfig.Builder builder, Http1Config.Builder http1,
                                          String listener, String metric, Duration requestTimeout,
                                          MeterRegistry meters) {
        ConnectionGuard guard = new ConnectionGuard(listener, metric, requestTimeout, meters);
        DirectHandlers.Builder direct = DirectHandlers.builder();
        for (EventType type : EventType.values()) {
            direct.addHandler(type, guard);
        }
        builder.directHandlers(direct.build())
                // Helidon adds a default HTTP/1 protocol unless one is named http_1_1, and discovers another
                // unless told not to
                .protocolsDiscoverServices(false)
                .addProtocol(http1.name(HTTP1_PROTOCOL)
                        .addReceiveListener(guard)
                        .addSendListener(guard.sendListener()) // when an answer went out
                        .build());
        return guard;
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        Thread self = Thread.currentThread();
        pending.put(self, new Pending(self, System.nanoTime() + timeoutNanos));
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        Pending p = pending.remove(Thread.currentThread());
        if (p != null && !p.state.compareAndSet(PENDING, DONE)) {
            // the timer got there first and has interrupted this thread: the request must not run
            throw RequestException.builder()
                    .type(EventType.BAD_REQUEST)
                    .status(Status.REQUEST_TIMEOUT_408)
                    .setKeepAlive(false)
                    .message("request timeout")
                    .build();
        }
        ROUTING.set(Boolean.TRUE);
    }

    /**
     * The listener's send listener: once an answer's status goes out, this thread reads a request line next. (A
     * listener of its own: a send listener is told of the answer's headers too, through the same method as the
     * receive listener of the request's.)
     */
    Http1ConnectionListener sendListener() {
        return new Http1ConnectionListener() {
            @Override
            public void status(ConnectionContext ctx, Status status) {
                ROUTING.set(Boolean.FALSE);
            }
        };
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, String message) {
        Pending p = pending.remove(Thread.currentThread());
        if (p != null && (eventType == EventType.INTERNAL_ERROR || eventType == EventType.OTHER)) {
            // the header block failed to arrive: cut short, reset, or interrupted by the timeout
            boolean expired = !p.state.compareAndSet(PENDING, DONE);
            if (!expired) {
                count(Result.TRUNCATED); // a timeout was counted when it fired
            }
            return TransportResponse.builder()
                    .status(expired ? Status.REQUEST_TIMEOUT_408 : Status.BAD_REQUEST_400)
                    .headers(responseHeaders)
                    .keepAlive(false)
                    .build();
        }
        if (p != null) {
            p.state.set(DONE);
        } else if (eventType == EventType.INTERNAL_ERROR && !ROUTING.get()) {
            // the request line could not be parsed (a method that is not a token): the client's broken request
            count(Result.BAD_REQUEST);
            return TransportResponse.builder()
                    .status(Status.BAD_REQUEST_400)
                    .headers(responseHeaders)
                    .keepAlive(false)
                    .build();
        }
        TransportResponse response = DirectHandler.defaultHandler()
                .handle(request, eventType, defaultStatus, responseHeaders, message);
        int code = response.status().code();
        if (code >= 400 && code != 500) {
            count(result(code));
        }
        return response;
    }

    static Result result(int status) {
        return switch (status) {
            case 400 -> Result.BAD_REQUEST;
            case 404, 405 -> Result.NOT_FOUND;
            case 408 -> Result.TIMEOUT;
            case 413, 414, 431 -> Result.TOO_LARGE;
            case 505 -> Result.BAD_VERSION;
            default -> Result.OTHER;
        };
    }

    private void count(Result r) {
        counters.get(r).increment();
        sinceSummary.get(r).incrementAndGet();
    }

    private void tick() {
        long now = System.nanoTime();
        for (Pending p : pending.values()) {
            if (!p.thread.isAlive()) {
                // the connection ended inside its headers without Helidon reporting it (a reset socket)
                pending.remove(p.thread, p);
                if (p.state.compareAndSet(PENDING, DONE)) {
                    count(Result.TRUNCATED);
                }
            } else if (now - p.deadline >= 0 && p.state.compareAndSet(PENDING, EXPIRED)) {
                // closes the socket under the blocked read; Helidon then ends the connection quietly
                count(Result.TIMEOUT);
                p.thread.interrupt();
            }
        }
        if (now - lastSummary >= SUMMARY_INTERVAL.toNanos()) {
            summarize(now);
        }
    }

    private void summarize(long now) {
        lastSummary = now;
        Map<String, Long> counts = new TreeMap<>();
        long total = 0;
        for (Map.Entry<Result, AtomicLong> e : sinceSummary.entrySet()) {
            long n = e.getValue().getAndSet(0);
            if (n > 0) {
                counts.put(e.getKey().label, n);
                total += n;
            }
        }
        if (total > 0) {
            LOG.log(Level.INFO, listener + ": refused " + total + " requests before routing in the last "
                    + SUMMARY_INTERVAL.toSeconds() + "s " + counts + " (metric " + metric.replace('.', '_')
                    + "_total)");
        }
    }

    /** Connections currently between a request line and the end of its headers (tests). */
    int pendingRequests() {
        return pending.size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
