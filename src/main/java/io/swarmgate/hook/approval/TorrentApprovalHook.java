package io.swarmgate.hook.approval;

import io.micrometer.core.instrument.Counter;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.config.ConfigException;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.PolledFile;
import io.swarmgate.hook.HookFactory;
import io.swarmgate.hook.ScrapeContext;

import java.lang.System.Logger;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Admits or refuses announces and scrapes by info_hash. The list in use is one immutable set (configured
 * entries plus the file's); the file is polled and swapped in atomically by {@link PolledFile}, which keeps the
 * previous list when a change cannot be read or has a bad line.
 * <p>
 * A scrape is refused as a whole when any of its info_hashes is unapproved: answering for a subset would
 * look like the others have no peers, and a client that scrapes an unapproved torrent learns the same as from
 * an announce.
 */
public final class TorrentApprovalHook implements Hook {
    /** {@code name: torrent-approval}; see {@link TorrentApprovalConfig} for its keys. Use it as a prehook. */
    public static final HookFactory FACTORY = HookFactory.of("torrent-approval",
            (config, services) -> new TorrentApprovalHook(TorrentApprovalConfig.create(config),
                    ApprovalMetrics.rejected(services.meters(), "torrent-approval"), services.scheduler(),
                    config.get("file").key().toString()));

    private static final Logger LOG = System.getLogger(TorrentApprovalHook.class.getName());

    private final ListMode mode;
    private final Set<InfoHash> configured;
    private final Counter rejected;
    /** The file's list joined with the configured one; null without a file. */
    private final PolledFile<Set<InfoHash>> file;

    /**
     * @throws ConfigException naming {@code fileKey} when the file cannot be read or is malformed
     */
    TorrentApprovalHook(TorrentApprovalConfig config, Counter rejected, ScheduledExecutorService scheduler,
                        String fileKey) {
        this.mode = config.mode();
        this.configured = config.listed();
        this.rejected = Objects.requireNonNull(rejected);
        this.file = config.file() == null ? null
                : new PolledFile<>("torrent-approval", LOG, config.file(), f -> union(ApprovalFile.read(f)),
                set -> set.size() + " info_hashes (" + mode.key() + " list)", scheduler,
                config.reloadInterval(), fileKey);
    }

    private Set<InfoHash> listed() {
        return file == null ? configured : file.current();
    }

    @Override
    public void announce(AnnounceContext ctx) throws ClientError {
        if (!approved(ctx.request().infoHash())) {
            rejected.increment();
            throw ClientError.unapproved("unapproved torrent");
        }
    }

    @Override
    public void scrape(ScrapeContext ctx) throws ClientError {
        Set<InfoHash> current = listed();
        List<InfoHash> hashes = ctx.request().infoHashes();
        for (int i = 0; i < hashes.size(); i++) {
            if (!mode.admits(current.contains(hashes.get(i)))) {
                rejected.increment();
                throw ClientError.unapproved("unapproved torrent");
            }
        }
    }

    boolean approved(InfoHash infoHash) {
        return mode.admits(listed().contains(infoHash));
    }

    /** @return whether a new list is in use (see {@link PolledFile#reloadIfChanged}) */
    boolean reloadIfChanged() {
        return file != null && file.reloadIfChanged();
    }

    private Set<InfoHash> union(Set<InfoHash> fromFile) {
        if (configured.isEmpty()) {
            return Set.copyOf(fromFile);
        }
        Set<InfoHash> all = new HashSet<>(configured);
        all.addAll(fromFile);
        return Set.copyOf(all);
    }

    @Override
    public void close() {
        if (file != null) {
            file.close();
        }
    }
}
