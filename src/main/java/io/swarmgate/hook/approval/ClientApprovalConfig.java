package io.swarmgate.hook.approval;

import io.helidon.config.Config;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.ConfigReader;

import java.util.List;
import java.util.Objects;

/**
 * {@code config:} of {@code client-approval}: exactly one of {@code allow} or {@code deny}, a non-empty list of
 * client ids. An entry matches a peer when it is a prefix of the peer's {@link io.swarmgate.bittorrent.PeerId#clientId()}:
 * {@code -qB4650-} is one qBittorrent version, {@code -qB} every qBittorrent. Entries are 1 to 8 printable
 * ASCII characters, since a client id is at most 8 bytes and an entry that can never match is a mistake.
 * Neither list set is refused too: the hook would then admit everyone (deny nothing) or no one (allow nothing),
 * and either is better said by removing the hook or stopping the tracker than by a silent configuration.
 */
record ClientApprovalConfig(ListMode mode, List<String> clientIds) {
    static final int MAX_ENTRY = 8;

    ClientApprovalConfig {
        Objects.requireNonNull(mode);
        clientIds = checkEntries(clientIds, mode.key());
    }

    static ClientApprovalConfig create(Config node) {
        ConfigReader r = ConfigReader.of(node, node.key().toString());
        List<String> allow = r.strings("allow", null);
        List<String> deny = r.strings("deny", null);
        r.finish();
        if (allow != null && deny != null) {
            throw new ConfigException(r.key("deny"), "set either allow or deny, not both");
        }
        if (allow == null && deny == null) {
            throw new ConfigException(node.key().toString(),
                    "set allow (admit only these client ids) or deny (refuse these client ids)");
        }
        ListMode mode = allow != null ? ListMode.ALLOW : ListMode.DENY;
        return new ClientApprovalConfig(mode, checkEntries(allow != null ? allow : deny, r.key(mode.key())));
    }

    private static List<String> checkEntries(List<String> entries, String key) {
        if (entries.isEmpty()) {
            throw new ConfigException(key, "must list at least one client id, e.g. -qB or -TR4050-");
        }
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i);
            if (e.isEmpty() || e.length() > MAX_ENTRY) {
                throw new ConfigException(key, "entry " + i + " '" + e + "' must be 1 to " + MAX_ENTRY
                        + " characters: a prefix of a client id like -qB4650-");
            }
            for (int j = 0; j < e.length(); j++) {
                char ch = e.charAt(j);
                if (ch < 0x20 || ch > 0x7e) {
                    throw new ConfigException(key, "entry " + i + " '" + e + "' must be printable ASCII");
                }
            }
        }
        return List.copyOf(entries);
    }
}
