package io.swarmgate.hook.jwt;

import io.swarmgate.logging.ConfigSummary;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads the JWK set document from its URL: over HTTP(S) with a connect timeout, a limit for the whole response
 * (a registry that trickles bytes cannot hold a fetch open) and a size cap; or from a {@code file:} URL, read
 * again on every refresh. Deliberately not nimbus' refreshing JWK sources: those start a non-daemon thread and
 * cache on their own schedule, while the tracker owns scheduling and shuts its scheduler down.
 */
final class JwkSetSource implements AutoCloseable {
    /** A JWK set with a few dozen keys is a few kilobytes; anything near this is not a key set. */
    static final int MAX_BYTES = 1 << 20;

    private final URI url;
    private final Duration timeout;
    private final HttpClient http;

    JwkSetSource(URI url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.http = isFile() ? null : HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    URI url() {
        return url;
    }

    /** The URL for log lines and error messages: its user-info and secret query parameters redacted. */
    String shownUrl() {
        return ConfigSummary.redactUrls(url.toString());
    }

    boolean isFile() {
        return "file".equalsIgnoreCase(url.getScheme());
    }

    /** The document as text. */
    String fetch() throws IOException {
        return isFile() ? readFile() : get();
    }

    private String readFile() throws IOException {
        Path path = Path.of(url);
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IOException(path + " is larger than " + MAX_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException(path + " does not exist");
        }
    }

    private String get() throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Accept", "application/jwk-set+json, application/json")
                .GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(request, info -> info.statusCode() == 200
                ? new CappedBody(MAX_BYTES)
                : HttpResponse.BodySubscribers.replacing(null));
        HttpResponse<byte[]> response;
        try {
            // the request timeout only covers the headers: bound the whole exchange, body included
            response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IOException("no complete answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException(cause instanceof IOException && cause.getMessage() != null
                    ? cause.getMessage() : String.valueOf(cause), cause);
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP status " + response.statusCode());
        }
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (http != null) {
            http.shutdownNow();
        }
    }

    /** Collects the body, failing (and cancelling the download) once it exceeds {@code max} bytes. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private byte[] buf = new byte[8192];
        private int size;

        CappedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                int n = b.remaining();
                if (size + n > max) {
                    subscription.cancel();
                    result.completeExceptionally(new IOException("JWK set larger than " + max + " bytes"));
                    return;
                }
                if (size + n > buf.length) {
                    buf = java.util.Arrays.copyOf(buf, Math.min(max, Math.max(buf.length * 2, size + n)));
                }
                b.get(buf, size, n);
                size += n;
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(java.util.Arrays.copyOf(buf, size));
        }
    }
}
