package io.swarmgate.hook;

import io.swarmgate.config.ConfigException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A hook's data file, re-read when it changes: the content in use is one immutable value behind a volatile
 * field, so a reload swaps it atomically and a request sees either the old content or the new, never a mix.
 * <p>
 * The file is polled (modification time, size, inode) rather than watched: a {@code WatchService} misses
 * changes on network file systems and through symlinked config maps, and a poll every few seconds costs one
 * {@code stat}. A file that cannot be read or does not parse keeps the previous content and is logged once per
 * change, not once per poll. At start-up the file must be readable and well formed, since there is no previous
 * content to keep.
 *
 * @param <T> the parsed content
 */
public final class PolledFile<T> implements AutoCloseable {
    /** Reads and parses the file; a content error is a {@link MalformedException} naming what is wrong. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(Path file) throws IOException, MalformedException;
    }

    /** Thrown for content that does not parse; the message names the line or entry. */
    public static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        public MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * What is cheap to poll and changes whenever the content does in practice: modification time, size, and
     * the file key (inode), which changes when the file is replaced by a rename.
     */
    private record Signature(FileTime modified, long size, Object fileKey) {
    }

    private final String owner;
    private final Logger log;
    private final Path file;
    private final Reader<T> reader;
    private final Function<T, String> describe;
    private final ScheduledFuture<?> reloader;
    private volatile T current;
    /** What the last poll saw (guarded by this); a change from it triggers a reload. */
    private Object lastSeen;

    /**
     * Reads the file now and then every {@code interval} on {@code scheduler}; a {@code null} scheduler polls
     * only when {@link #reloadIfChanged} is called (tests).
     *
     * @param owner    who reads the file, the prefix of every log line (a hook's name)
     * @param log      where changes and failures are logged: the owner's logger
     * @param describe what a content is, for log lines ("12 info_hashes")
     * @param fileKey  the configuration key that names the file
     * @throws ConfigException naming {@code fileKey} when the file cannot be read or is malformed
     */
    public PolledFile(String owner, Logger log, Path file, Reader<T> reader, Function<T, String> describe,
                      ScheduledExecutorService scheduler, Duration interval, String fileKey) {
        this.owner = Objects.requireNonNull(owner);
        this.log = Objects.requireNonNull(log);
        this.file = Objects.requireNonNull(file);
        this.reader = Objects.requireNonNull(reader);
        this.describe = Objects.requireNonNull(describe);
        try {
            lastSeen = signature(file);
            current = reader.read(file);
        } catch (IOException e) {
            throw new ConfigException(fileKey, "cannot read " + file + ": "
                    + (e instanceof CharacterCodingException ? why(e) : e));
        } catch (MalformedException e) {
            throw new ConfigException(fileKey, file + " " + e.getMessage());
        }
        long ms = interval.toMillis();
        reloader = scheduler == null ? null
                : scheduler.scheduleWithFixedDelay(this::poll, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The content in use: the last version of the file that was read and parsed. */
    public T current() {
        return current;
    }

    public Path file() {
        return file;
    }

    private static Signature signature(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new Signature(a.lastModifiedTime(), a.size(), a.fileKey());
    }

    /** The scheduled poll: never lets an exception end the schedule. */
    private void poll() {
        try {
            reloadIfChanged();
        } catch (RuntimeException e) {
            log.log(Level.WARNING, owner + ": checking " + file + " failed: " + e, e);
        }
    }

    /**
     * Re-reads the file if its signature changed since the last poll. The signature is taken before reading,
     * so a write that lands during the read changes it again and the next poll reads once more.
     *
     * @return whether a new content is in use
     */
    public synchronized boolean reloadIfChanged() {
        Object seen;
        try {
            seen = signature(file);
        } catch (IOException e) {
            // the kind of failure, so a file that stays missing is reported once, and again if the reason changes
            seen = e.getClass().getSimpleName();
            if (!seen.equals(lastSeen)) {
                lastSeen = seen;
                log.log(Level.WARNING, owner + ": cannot read " + file + " (" + e + "); keeping the previous "
                        + describe.apply(current));
            }
            return false;
        }
        if (seen.equals(lastSeen)) {
            return false;
        }
        lastSeen = seen;
        try {
            T read = reader.read(file);
            current = read;
            log.log(Level.INFO, owner + ": loaded " + describe.apply(read) + " from " + file);
            return true;
        } catch (IOException | MalformedException e) {
            log.log(Level.WARNING, owner + ": " + file + " not loaded (" + why(e)
                    + "); keeping the previous " + describe.apply(current));
            return false;
        }
    }

    /** What went wrong, in words: a file that is not UTF-8 text made the decoder's bare "Input length = 1". */
    private static String why(Exception e) {
        return e instanceof CharacterCodingException ? "not UTF-8 text (" + e.getMessage() + ")" : e.getMessage();
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.cancel(false);
        }
    }
}
