package io.swarmgate.config;

import io.helidon.config.Config;
import io.swarmgate.bittorrent.IpAddress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code http:}: the HTTP announce/scrape listener, its TLS, and how it decides a client's address. */
public record HttpConfig(boolean enabled, String host, int port, List<String> announceRoutes,
                         List<String> scrapeRoutes, String realIpHeader, List<Cidr> trustedProxies,
                         boolean allowIpParam, Duration requestTimeout, Duration idleTimeout,
                         int maxConnections, Optional<HttpTlsConfig> tls) {

    public static final HttpConfig DEFAULTS = new HttpConfig(true, "::", 6969, List.of("/announce"),
            List.of("/scrape"), "", List.of(), false, Duration.ofSeconds(10), Duration.ofSeconds(30), 10_000,
            Optional.empty());

    public HttpConfig {
        announceRoutes = List.copyOf(announceRoutes);
        scrapeRoutes = List.copyOf(scrapeRoutes);
        trustedProxies = List.copyOf(trustedProxies);
    }

    public static HttpConfig create(Config node) {
        ConfigReader r = ConfigReader.of(node, "http");
        HttpConfig d = DEFAULTS;
        List<String> announce = routes(r, "announce-routes", d.announceRoutes);
        List<String> scrape = routes(r, "scrape-routes", d.scrapeRoutes);
        List<Cidr> proxies = new ArrayList<>();
        for (String s : r.strings("trusted-proxies", List.of())) {
            try {
                proxies.add(Cidr.parse(s));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(r.key("trusted-proxies"), e.getMessage());
            }
        }
        String host = r.string("host", d.host);
        checkHost(r.key("host"), host);
        HttpConfig c = new HttpConfig(
                r.bool("enabled", d.enabled),
                host,
                r.integer("port", d.port, 0, 65535),
                announce, scrape,
                r.string("real-ip-header", d.realIpHeader).strip(),
                proxies,
                r.bool("allow-ip-param", d.allowIpParam),
                r.duration("request-timeout", d.requestTimeout),
                r.duration("idle-timeout", d.idleTimeout),
                r.integer("max-connections", d.maxConnections, 1, 1_000_000),
                HttpTlsConfig.create(r.node("tls"), r.key("tls")));
        r.finish();
        return c;
    }

    /** Listener addresses must be IP literals: no DNS at start-up. */
    public static void checkHost(String key, String host) {
        try {
            IpAddress.parse(host);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, "must be an IP address such as :: or 0.0.0.0, got '" + host + "'");
        }
    }

    private static List<String> routes(ConfigReader r, String name, List<String> def) {
        List<String> routes = r.strings(name, def);
        for (String route : routes) {
            if (!route.startsWith("/")) {
                throw new ConfigException(r.key(name), "routes must start with '/', got '" + route + "'");
            }
        }
        return routes;
    }
}
