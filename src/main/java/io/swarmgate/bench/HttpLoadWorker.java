package io.swarmgate.bench;

import io.swarmgate.bittorrent.PeerId;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.locks.LockSupport;

/**
 * One HTTP/1.1 connection with one request at a time: a new connection per request ({@code Connection:
 * close}, what BitTorrent clients mostly do) or one kept alive (what a reverse proxy or load balancer sends).
 * Latency of a connection-per-request announce includes the TCP handshake. A 200 answer whose bencoded body is
 * a dictionary counts as answered, one with {@code failure reason} as a failure; anything else is malformed.
 */
final class HttpLoadWorker extends Worker {
    private static final byte[] FAILURE = "d14:failure reason".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PEERS = "5:peers".getBytes(StandardCharsets.US_ASCII);
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final String host;
    private final int timeoutMillis;
    private final StringBuilder request = new StringBuilder(512);
    private final byte[] buffer = new byte[16 * 1024];
    private Socket socket;
    private InputStream input;
    private OutputStream output;

    HttpLoadWorker(BenchPlan plan, Schedule schedule, CyclicBarrier ready, int index, long seed) {
        // one worker per connection in flight
        super(plan, schedule, ready, index, plan.inFlight(), seed);
        InetSocketAddress t = plan.target();
        String address = t.getAddress().getHostAddress();
        this.host = (address.contains(":") ? "[" + address + "]" : address) + ":" + t.getPort();
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, plan.timeout().toMillis());
    }

    @Override
    void prepare() throws IOException {
        if (plan.scrape()) {
            for (int i = 0; i < peers.size(); i++) {
                exchange(false, Long.MAX_VALUE);
            }
        }
    }

    @Override
    void load() throws IOException {
        Pacer pacer = pacer();
        while (true) {
            long sentAt = System.nanoTime();
            if (pacer != null) {
                // open loop: the next request goes when due, or at once when this connection is behind
                sentAt = pacer.due();
                pacer.sent();
                for (long left; sentAt < schedule.end() && (left = sentAt - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(left);
                }
            }
            if (sentAt >= schedule.end()) {
                return;
            }
            if (pacer != null) {
                stats.sent(inWindow(sentAt), System.nanoTime() - sentAt);
            }
            exchange(plan.scrape(), sentAt);
        }
    }

    @Override
    void close() {
        disconnect();
    }

    /**
     * When the previous exchange ended: a request due before then waited for the tracker's answer to the one
     * before it, not for the generator, so its service time counts from when it was due.
     */
    private long previousEnd = Long.MIN_VALUE;

    /** One request and its answer; a refused, reset or timed-out connection is counted and dropped. */
    private void exchange(boolean scrape, long sentAt) throws IOException {
        long start = System.nanoTime();
        try {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(timeoutMillis);
                socket.connect(plan.target(), timeoutMillis);
                input = socket.getInputStream();
                output = socket.getOutputStream();
            }
            output.write(scrape ? scrapeRequest() : announceRequest());
            output.flush();
            readResponse(scrape, sentAt, start);
        } catch (SocketTimeoutException e) {
            stats.timeouts++;
            disconnect();
        } catch (IOException e) {
            stats.unreachable++;
            disconnect();
            if (stats.unreachable > 1000 && stats.announces + stats.scrapes == 0) {
                throw new IOException("cannot reach " + plan.target() + ": " + e.getMessage(), e);
            }
        }
        if (!plan.keepAlive()) {
            disconnect();
        }
        previousEnd = System.nanoTime();
    }

    private void readResponse(boolean scrape, long sentAt, long start) throws IOException {
        int filled = 0;
        int headerEnd = -1;
        while (headerEnd < 0) {
            if (filled == buffer.length) {
                stats.malformed++;
                disconnect();
                return;
            }
            int n = input.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                throw new IOException("connection closed before the answer");
            }
            filled += n;
            headerEnd = headerEnd(filled);
        }
        int length = contentLength(headerEnd);
        int bodyEnd = headerEnd + Math.max(0, length);
        if (length < 0 || bodyEnd > buffer.length) {
            stats.malformed++;
            disconnect();
            return;
        }
        while (filled < bodyEnd) {
            int n = input.read(buffer, filled, bodyEnd - filled);
            if (n < 0) {
                throw new IOException("connection closed inside the body");
            }
            filled += n;
        }
        long now = System.nanoTime();
        boolean ok = startsWith(0, "HTTP/1.1 200".getBytes(StandardCharsets.US_ASCII)) && length > 0
                && buffer[headerEnd] == 'd';
        if (!ok) {
            stats.malformed++;
        } else if (startsWith(headerEnd, FAILURE)) {
            stats.failed(new String(buffer, headerEnd, length, StandardCharsets.UTF_8));
        } else {
            // latency from when the request was due (--rate) or, in a closed loop, sent
            stats.answered(inWindow(sentAt), now - Math.min(sentAt, start),
                    now - (previousEnd > sentAt ? Math.min(sentAt, start) : start), !scrape,
                    scrape ? 0 : compactPeers(headerEnd, bodyEnd));
        }
        if (plan.keepAlive() && closes(headerEnd)) {
            disconnect();
        }
    }

    /** The number of peers in a compact announce answer ({@code 5:peers<n>:} and n / 6 bytes), 0 if none. */
    private int compactPeers(int from, int to) {
        for (int i = from; i + PEERS.length < to; i++) {
            if (startsWith(i, PEERS)) {
                int n = 0;
                for (int j = i + PEERS.length; j < to && buffer[j] != ':'; j++) {
                    n = n * 10 + (buffer[j] - '0');
                }
                return n / 6;
            }
        }
        return 0;
    }

    private int headerEnd(int filled) {
        for (int i = 3; i < filled; i++) {
            if (buffer[i] == '\n' && buffer[i - 1] == '\r' && buffer[i - 2] == '\n' && buffer[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private int contentLength(int headerEnd) {
        String headers = new String(buffer, 0, headerEnd, StandardCharsets.US_ASCII);
        int at = indexOfIgnoreCase(headers, "\r\ncontent-length:");
        if (at < 0) {
            return -1;
        }
        int from = at + "\r\ncontent-length:".length();
        int to = headers.indexOf('\r', from);
        try {
            return Integer.parseInt(headers.substring(from, to).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private boolean closes(int headerEnd) {
        String headers = new String(buffer, 0, headerEnd, StandardCharsets.US_ASCII);
        return indexOfIgnoreCase(headers, "\r\nconnection: close") >= 0;
    }

    private static int indexOfIgnoreCase(String text, String lowerNeedle) {
        return text.toLowerCase(java.util.Locale.ROOT).indexOf(lowerNeedle);
    }

    private boolean startsWith(int at, byte[] prefix) {
        if (at + prefix.length > buffer.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buffer[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing is all that was asked
            }
            socket = null;
        }
    }

    private byte[] announceRequest() {
        int k = peers.next();
        int swarm = peers.swarm(k);
        request.setLength(0);
        request.append("GET /announce?info_hash=");
        percent(plan.workload().infoHash(swarm).bytes());
        request.append("&peer_id=");
        PeerId id = peers.id(k);
        percent(id.bytes());
        request.append("&port=").append(peers.port(k))
                .append("&uploaded=0&downloaded=0&left=").append(peers.left(k))
                .append(peers.event(k) == 2 ? "&event=started" : "")
                .append("&numwant=").append(plan.workload().numWant())
                .append("&compact=1");
        String token = plan.workload().token(swarm);
        if (!token.isEmpty()) {
            request.append("&jwt=").append(token);
        }
        return finish();
    }

    private byte[] scrapeRequest() {
        request.setLength(0);
        request.append("GET /scrape?info_hash=");
        percent(plan.workload().infoHash(peers.randomSwarm()).bytes());
        return finish();
    }

    private byte[] finish() {
        request.append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
        if (!plan.keepAlive()) {
            request.append("Connection: close\r\n");
        }
        return request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private void percent(byte[] bytes) {
        for (byte b : bytes) {
            request.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
    }
}
