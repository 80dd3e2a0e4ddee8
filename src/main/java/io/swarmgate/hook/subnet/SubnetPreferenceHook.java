package io.swarmgate.hook.subnet;

import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.PeerPreference;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.ConfigReader;
import io.swarmgate.config.Yaml;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.metrics.RackPrefixes;
import io.swarmgate.hook.PolledFile;
import io.swarmgate.hook.HookFactory;

import java.io.IOException;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Sets the announce's {@link PeerPreference}: the tiers of the announcer's place in the topology map when the
 * map places it, else the prefix tiers of its address family. Peers of the other family are never returned
 * anyway (BEP 7 swarms are per family), so one list per family is all the store needs. Every preference is
 * built once (per family, per path of the map): the request path allocates nothing.
 * <p>With a {@code topology-file}, the map in use is rebuilt from the configured entries plus the file's when
 * the file changes ({@link PolledFile}); a file that does not parse leaves the previous map in use. Peers that
 * announced under the old map keep their old places in the store until they announce again, stop or expire.
 * <p>The first prefix tiers are also what the operator's swarm view ({@code GET /swarms/<hex>}) groups peers by.
 */
public final class SubnetPreferenceHook implements Hook, RackPrefixes {
    static final String NAME = "subnet-preference";
    /** {@code name: subnet-preference}; see {@link SubnetPreferenceConfig} for its keys. Use it as a prehook. */
    public static final HookFactory FACTORY = HookFactory.of(NAME,
            (config, services) -> new SubnetPreferenceHook(SubnetPreferenceConfig.create(config), services.scheduler(),
                    config.key().toString()));

    private static final Logger LOG = System.getLogger(SubnetPreferenceHook.class.getName());

    private final PeerPreference ipv4;
    private final PeerPreference ipv6;
    /** Without a file: the configured map; with one, null and {@link #file} holds the map. */
    private final TopologyMap fixed;
    private final PolledFile<TopologyMap> file;

    /**
     * @param scheduler polls the topology file; null polls only when {@link #reloadIfChanged} is called
     * @param key       the hook's {@code config} key, to name keys in errors
     * @throws ConfigException naming the key when the topology or its file is refused
     */
    SubnetPreferenceHook(SubnetPreferenceConfig config, ScheduledExecutorService scheduler, String key) {
        this.ipv4 = preference(config.ipv4Prefixes(), config);
        this.ipv6 = preference(config.ipv6Prefixes(), config);
        List<TopologyMap.Entry> configured = config.topology();
        if (config.topologyFile() == null) {
            try {
                fixed = configured.isEmpty() ? TopologyMap.EMPTY
                        : new TopologyMap(configured, config);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key + ".topology", e.getMessage());
            }
            file = null;
        } else {
            fixed = null;
            file = new PolledFile<>(NAME, LOG, config.topologyFile(),
                    f -> read(f, configured, config), map -> "topology (" + map.size() + " entries)",
                    scheduler, config.topologyReloadInterval(), key + ".topology-file");
        }
    }

    private static PeerPreference preference(List<Integer> prefixes, SubnetPreferenceConfig config) {
        return prefixes.isEmpty() ? PeerPreference.NONE
                : config.bridged(new PeerPreference(prefixes));
    }

    /** The first IPv4 tier, or /24 (the default) when IPv4 has no preference. */
    @Override
    public int ipv4RackPrefix() {
        return ipv4.isNone() ? RackPrefixes.DEFAULT.ipv4RackPrefix() : ipv4.prefixes().getFirst();
    }

    /** The first IPv6 tier, or /64 (the default) when IPv6 has no preference. */
    @Override
    public int ipv6RackPrefix() {
        return ipv6.isNone() ? RackPrefixes.DEFAULT.ipv6RackPrefix() : ipv6.prefixes().getFirst();
    }

    /**
     * The topology file: YAML with one key, {@code topology:}, a list written as in the configuration. Its
     * entries join the configured ones; messages call them "file entry i".
     */
    static TopologyMap read(Path path, List<TopologyMap.Entry> configured, SubnetPreferenceConfig config)
            throws IOException, PolledFile.MalformedException {
        String yaml = Files.readString(path, StandardCharsets.UTF_8);
        try {
            List<TopologyMap.Entry> all = new ArrayList<>(configured);
            if (!yaml.isBlank()) {
                // YAML that is no mapping (a list, an alias inside its own anchor) fails like any bad entry,
                // not with an Error that would end the reloading
                Yaml.read("topology-file", () -> {
                    ConfigReader r = ConfigReader.of(Yaml.text(yaml), "");
                    all.addAll(TopologyMap.parse(r.node("topology"), "topology", "file entry"));
                    r.finish();
                    return all;
                });
            }
            return new TopologyMap(all, config);
        } catch (RuntimeException e) {
            // ours name the entry; Helidon's say where the YAML is broken
            throw new PolledFile.MalformedException(e.getMessage());
        }
    }

    private TopologyMap map() {
        return file == null ? fixed : file.current();
    }

    @Override
    public void announce(AnnounceContext ctx) {
        IpAddress ip = ctx.request().peer().ip();
        PeerPreference placed = map().lookup(ip);
        ctx.preference(placed != null ? placed : ip.isIpv4() ? ipv4 : ipv6);
    }

    /** @return whether a new topology is in use (see {@link PolledFile#reloadIfChanged}) */
    boolean reloadIfChanged() {
        return file != null && file.reloadIfChanged();
    }

    @Override
    public void close() {
        if (file != null) {
            file.close();
        }
    }
}
