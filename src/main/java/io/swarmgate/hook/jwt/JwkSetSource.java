package io.swarmgate.hook.jwt;

import io.swarmgate.logging.ConfigSummary;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

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
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
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

    /**
     * @param trusted the certificates an https server must chain to instead of the JDK's default trust store
     *                ({@code jwk-set-ca}); empty: the default trust store. Host names are checked either way.
     */
    JwkSetSource(URI url, Duration timeout, List<X509Certificate> trusted) {
        this.url = url;
        this.timeout = timeout;
        if (isFile()) {
            this.http = null;
        } else {
            HttpClient.Builder b = HttpClient.newBuilder()
                    .connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NORMAL);
            if (!trusted.isEmpty()) {
                b.sslContext(trusting(trusted));
            }
            this.http = b.build();
        }
    }

    /** An SSL context whose only trust anchors are {@code trusted}, with the JDK's usual PKIX checks. */
    private static SSLContext trusting(List<X509Certificate> trusted) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                store.setCertificateEntry("jwk-set-ca-" + i, trusted.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            // an in-memory store of certificates that already parsed: only a broken JDK gets here
            throw new IllegalStateException("cannot build a trust store from jwk-set-ca", e);
        }
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
            throw new IOException(describe(cause), cause);
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP status " + response.statusCode());
        }
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /**
     * The failure in one line an operator can act on. A TLS failure's own message is a chain of JDK class names
     * ("PKIX path building failed: sun.security...SunCertPathBuilderException: unable to find valid
     * certification path to requested target"); it is reduced to what went wrong and what to do about it.
     */
    static String describe(Throwable cause) {
        if (cause instanceof SSLException) {
            Throwable root = cause;
            boolean untrusted = false;
            for (Throwable t = cause; t != null; t = t.getCause()) {
                root = t;
                untrusted |= t instanceof CertPathBuilderException || t instanceof CertPathValidatorException;
            }
            String detail = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
            return untrusted
                    ? "TLS handshake failed: the server's certificate is not trusted (" + detail
                      + "); for a registry with a private CA, set jwk-set-ca to that CA's PEM file"
                    : "TLS handshake failed: " + detail;
        }
        if (cause instanceof IOException && cause.getMessage() != null) {
            return cause.getMessage();
        }
        return String.valueOf(cause);
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
