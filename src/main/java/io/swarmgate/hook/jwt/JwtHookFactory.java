package io.swarmgate.hook.jwt;

import io.helidon.config.Config;
import io.swarmgate.config.ConfigException;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;
import io.swarmgate.hook.HookServices;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * {@code name: jwt}: admission by registry-signed JWTs. Start-up fetches the JWK set once and fails, naming
 * {@code jwk-set-url}, when that fetch fails: a tracker that would refuse every announce should not start.
 * Reached as {@link JwtHook#FACTORY}.
 */
final class JwtHookFactory implements HookFactory {
    private static final Logger LOG = System.getLogger(JwtHookFactory.class.getName());

    @Override
    public String name() {
        return "jwt";
    }

    @Override
    public Hook create(Config config, HookServices services) {
        return start(JwtConfig.create(config), services, config.get("jwk-set-url").key().toString());
    }

    /**
     * Validates the keys, and loads a {@code file:} JWK set as start-up would (it is local); fetching an
     * http(s) set is what {@code config check --fetch} asks for.
     */
    @Override
    public void check(Config config, HookServices services) {
        if ("file".equalsIgnoreCase(JwtConfig.create(config).jwkSetUrl().getScheme())) {
            create(config, services).close();
        }
    }

    private static JwtHook start(JwtConfig config, HookServices services, String urlKey) {
        if ("http".equalsIgnoreCase(config.jwkSetUrl().getScheme()) && !isLoopback(config.jwkSetUrl().getHost())) {
            LOG.log(Level.WARNING, urlKey + " is plain http: whoever can alter that traffic can make the tracker "
                    + "accept their tokens. Use https outside tests.");
        }
        JwkSetSource source = new JwkSetSource(config.jwkSetUrl(), config.fetchTimeout(), config.jwkSetCa());
        KeySetHolder keys = new KeySetHolder(config, source, services.clock(), services.meters());
        try {
            keys.load();
        } catch (IOException e) {
            keys.close();
            throw new ConfigException(urlKey, "could not load the JWK set from " + source.shownUrl() + ": "
                    + e.getMessage());
        }
        JwtHook hook = new JwtHook(config, keys, services.clock(), services.meters());
        hook.schedule(services.scheduler());
        return hook;
    }

    /** Plain http to this machine (a sidecar, a test) cannot be tampered with on the way; no DNS lookup here. */
    private static boolean isLoopback(String host) {
        String h = host.toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }
}
