package io.swarmgate.hook.approval;

import io.helidon.config.Config;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.ConfigReader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@code config:} of {@code torrent-approval}. The list comes from {@code allow} or {@code deny} (never both;
 * which one is set is the mode) and/or {@code file}, whose entries join the configured list; a {@code file}
 * alone is an allow list, and a deny file is written {@code deny: []} plus {@code file}. Without a file the
 * configured list must not be empty (an empty allow list refuses every torrent, an empty deny list does
 * nothing). The file is checked for changes every {@code reload-interval}; {@code file} is {@code null} when
 * none is set.
 */
record TorrentApprovalConfig(ListMode mode, Set<InfoHash> listed, Path file, Duration reloadInterval) {
    static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);

    TorrentApprovalConfig {
        Objects.requireNonNull(mode);
        listed = Set.copyOf(listed);
        Objects.requireNonNull(reloadInterval);
        if (file == null && listed.isEmpty()) {
            throw new IllegalArgumentException("without a file the list must not be empty");
        }
    }

    static TorrentApprovalConfig create(Config node) {
        String path = node.key().toString();
        ConfigReader r = ConfigReader.of(node, path);
        List<String> allow = r.strings("allow", null);
        List<String> deny = r.strings("deny", null);
        String file = r.string("file", "").strip();
        Duration reload = r.duration("reload-interval", DEFAULT_RELOAD_INTERVAL);
        r.finish();
        if (allow != null && deny != null) {
            throw new ConfigException(r.key("deny"), "set either allow or deny, not both");
        }
        if (allow == null && deny == null && file.isEmpty()) {
            throw new ConfigException(path, "set allow (admit only these info_hashes), deny (refuse these)"
                    + " or file (one info_hash per line, an allow list unless deny is set)");
        }
        ListMode mode = deny != null ? ListMode.DENY : ListMode.ALLOW;
        List<String> entries = allow != null ? allow : deny != null ? deny : List.of();
        String key = r.key(mode.key());
        Set<InfoHash> listed = new LinkedHashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            try {
                listed.add(parseHex(entries.get(i)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, "entry " + i + ": " + e.getMessage());
            }
        }
        if (file.isEmpty() && listed.isEmpty()) {
            throw new ConfigException(key, "must list at least one info_hash (40 hex digits), or set file");
        }
        return new TorrentApprovalConfig(mode, listed, file.isEmpty() ? null : Path.of(file), reload);
    }

    /** 40 hex digits, either case, surrounding blanks ignored. */
    static InfoHash parseHex(String text) {
        String s = text.strip();
        try {
            return InfoHash.fromHex(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + s + "' is not an info_hash: expected 40 hex digits");
        }
    }
}
