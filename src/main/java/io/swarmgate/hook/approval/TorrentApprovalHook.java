package io.swarmgate.hook.approval;

import io.micrometer.core.instrument.Counter;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.config.ConfigException;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;
import io.swarmgate.hook.ScrapeContext;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Admits or refuses announces and scrapes by info_hash. The list in use is one immutable set (configured
 * entries plus the file's) behind a volatile field, so a reload swaps it atomically and a request sees either
 * the old list or the new one, never a mix.
 * <p>
 * The file is polled (modification time, size, inode) rather than watched: a {@code WatchService} misses
 * changes on network file systems and through symlinked config maps, and a poll every few seconds costs one
 * {@code stat}. A file that cannot be read or has a bad line keeps the previous list and is logged once per
 * change, not once per poll. At start-up the file must be readable and well formed, since there is no previous
 * list to keep.
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
    private final Path file;
    private final Counter rejected;
    private final ScheduledFuture<?> reloader;
    private volatile Set<InfoHash> listed;
    /** What the last poll saw (guarded by this); a change from it triggers a reload. */
    private Object lastSeen;

    /**
     * @throws ConfigException naming {@code fileKey} when the file cannot be read or is malformed
     */
    TorrentApprovalHook(TorrentApprovalConfig config, Counter rejected, ScheduledExecutorService scheduler,
                        String fileKey) {
        this.mode = config.mode();
        this.configured = config.listed();
        this.file = config.file();
        this.rejected = Objects.requireNonNull(rejected);
        if (file == null) {
            listed = configured;
            reloader = null;
            return;
        }
        try {
            lastSeen = ApprovalFile.signature(file);
            listed = union(ApprovalFile.read(file));
        } catch (IOException e) {
            throw new ConfigException(fileKey, "cannot read " + file + ": " + e);
        } catch (ApprovalFile.MalformedException e) {
            throw new ConfigException(fileKey, file + " " + e.getMessage());
        }
        long ms = config.reloadInterval().toMillis();
        reloader = scheduler.scheduleWithFixedDelay(this::poll, ms, ms, TimeUnit.MILLISECONDS);
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
        Set<InfoHash> current = listed;
        List<InfoHash> hashes = ctx.request().infoHashes();
        for (int i = 0; i < hashes.size(); i++) {
            if (!mode.admits(current.contains(hashes.get(i)))) {
                rejected.increment();
                throw ClientError.unapproved("unapproved torrent");
            }
        }
    }

    boolean approved(InfoHash infoHash) {
        return mode.admits(listed.contains(infoHash));
    }

    /** The scheduled poll: never lets an exception end the schedule. */
    private void poll() {
        try {
            reloadIfChanged();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "torrent-approval: checking " + file + " failed: " + e, e);
        }
    }

    /**
     * Re-reads the file if its signature changed since the last poll. The signature is taken before reading,
     * so a write that lands during the read changes it again and the next poll reads once more.
     *
     * @return whether a new list is in use
     */
    synchronized boolean reloadIfChanged() {
        if (file == null) {
            return false;
        }
        Object seen;
        try {
            seen = ApprovalFile.signature(file);
        } catch (IOException e) {
            // the kind of failure, so a file that stays missing is reported once, and again if the reason changes
            seen = e.getClass().getSimpleName();
            if (!seen.equals(lastSeen)) {
                lastSeen = seen;
                LOG.log(Level.WARNING, "torrent-approval: cannot read " + file + " (" + e
                        + "); keeping the previous list of " + listed.size() + " info_hashes");
            }
            return false;
        }
        if (seen.equals(lastSeen)) {
            return false;
        }
        lastSeen = seen;
        try {
            Set<InfoHash> fromFile = ApprovalFile.read(file);
            listed = union(fromFile);
            LOG.log(Level.INFO, "torrent-approval: loaded " + fromFile.size() + " info_hashes from " + file
                    + " (" + mode.key() + " list)");
            return true;
        } catch (IOException | ApprovalFile.MalformedException e) {
            LOG.log(Level.WARNING, "torrent-approval: " + file + " not loaded (" + e.getMessage()
                    + "); keeping the previous list of " + listed.size() + " info_hashes");
            return false;
        }
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
        if (reloader != null) {
            reloader.cancel(false);
        }
    }
}
