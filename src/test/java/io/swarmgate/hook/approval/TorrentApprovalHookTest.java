package io.swarmgate.hook.approval;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.Frontend;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.RequestMeta;
import io.swarmgate.bittorrent.ScrapeRequest;
import io.swarmgate.config.ConfigException;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.HookServices;
import io.swarmgate.hook.ScrapeContext;
import io.swarmgate.testing.InspectedScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.swarmgate.testing.HookFixtures.announce;
import static io.swarmgate.testing.HookFixtures.hookConfig;
import static io.swarmgate.testing.HookFixtures.infoHash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorrentApprovalHookTest {
    private static final InfoHash A = infoHash(0xa);
    private static final InfoHash B = infoHash(0xb);
    private static final InfoHash C = infoHash(0xc);

    @TempDir
    Path dir;
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private InspectedScheduler scheduler;
    private final List<LogRecord> warnings = new ArrayList<>();
    private final Logger log = Logger.getLogger(TorrentApprovalHook.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (warnings) {
                    warnings.add(record);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final List<TorrentApprovalHook> hooks = new ArrayList<>();

    @BeforeEach
    void start() {
        scheduler = new InspectedScheduler();
        log.addHandler(capture);
    }

    @AfterEach
    void stop() {
        hooks.forEach(TorrentApprovalHook::close);
        scheduler.shutdownNow();
        log.removeHandler(capture);
    }

    private TorrentApprovalHook hook(String yaml) {
        TorrentApprovalHook hook = (TorrentApprovalHook) TorrentApprovalHook.FACTORY.create(hookConfig(yaml),
                new HookServices(InstantSource.system(), () -> null, meters, scheduler));
        hooks.add(hook);
        return hook;
    }

    /** A hook reading {@code file}, polled only when the test calls reloadIfChanged. */
    private TorrentApprovalHook fileHook(String extraYaml, Path file) {
        return hook("file: " + file + "\nreload-interval: 1h\n" + extraYaml);
    }

    /** A hook reading {@code file}, which lists only A, polled only when the test calls reloadIfChanged. */
    private TorrentApprovalHook fileHookListingA(Path file) throws IOException {
        write(file, A.hex() + "\n");
        return fileHook("", file);
    }

    /** The list in use is the file's new one: B is admitted and A, in the old list only, refused. */
    private static void assertApprovesOnlyBNotA(TorrentApprovalHook hook) throws ClientError {
        announceFor(hook, B);
        assertRefused(hook, A);
    }

    private static void announceFor(TorrentApprovalHook hook, InfoHash infoHash) throws ClientError {
        hook.announce(new AnnounceContext(announce(infoHash, "-qB4650-", "10.0.0.1"), 1800, 900));
    }

    private static void scrapeFor(TorrentApprovalHook hook, InfoHash... infoHashes) throws ClientError {
        hook.scrape(new ScrapeContext(new ScrapeRequest(List.of(infoHashes), AddressFamily.IPV4,
                RequestMeta.of(Frontend.UDP))));
    }

    private static void assertRefused(TorrentApprovalHook hook, InfoHash infoHash) {
        ClientError e = assertThrows(ClientError.class, () -> announceFor(hook, infoHash));
        assertEquals(ClientError.Kind.UNAPPROVED, e.kind());
        assertEquals("unapproved torrent", e.reason());
    }

    private double rejected() {
        return meters.counter("swarmgate.approval.rejected", "hook", "torrent-approval").count();
    }

    /** Writes the file and moves its modification time on, so even a same-size rewrite is a visible change. */
    private static void write(Path file, String content) throws IOException {
        FileTime before = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
        Files.writeString(file, content);
        if (before != null) {
            Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 2000));
        }
    }

    private int warningCount() {
        synchronized (warnings) {
            return warnings.size();
        }
    }

    @Test
    void allowListAdmitsOnlyListedTorrents() throws Exception {
        TorrentApprovalHook hook = hook("allow:\n  - " + A.hex() + "\n  - " + B.hex().toUpperCase());
        announceFor(hook, A);
        announceFor(hook, B);
        assertRefused(hook, C);
        assertEquals(1, rejected());
    }

    @Test
    void denyListRefusesOnlyListedTorrents() throws Exception {
        TorrentApprovalHook hook = hook("deny: [" + A.hex() + "]");
        assertRefused(hook, A);
        announceFor(hook, B);
        announceFor(hook, C);
        assertEquals(1, rejected());
    }

    @Test
    void scrapeIsRefusedWholeWhenAnyInfoHashIsUnapproved() throws Exception {
        TorrentApprovalHook hook = hook("allow: [" + A.hex() + ", " + B.hex() + "]");
        scrapeFor(hook, A, B, A);
        ClientError e = assertThrows(ClientError.class, () -> scrapeFor(hook, A, C, B));
        assertEquals(ClientError.Kind.UNAPPROVED, e.kind());
        assertEquals("unapproved torrent", e.reason());
        assertEquals(1, rejected());
    }

    @Test
    void startUpErrorsNameTheKey() {
        assertEquals("prehooks.0.config.deny",
                assertThrows(ConfigException.class, () -> hook("allow: [" + A.hex() + "]\ndeny: [" + B.hex() + "]")).key());
        assertEquals("prehooks.0.config", assertThrows(ConfigException.class, () -> hook("")).key());
        assertEquals("prehooks.0.config.allow", assertThrows(ConfigException.class, () -> hook("allow: []")).key());
        ConfigException bad = assertThrows(ConfigException.class,
                () -> hook("allow: [" + A.hex() + ", " + A.hex().substring(1) + "]"));
        assertEquals("prehooks.0.config.allow", bad.key());
        assertTrue(bad.getMessage().contains("entry 1"), bad.getMessage());
        assertEquals("prehooks.0.config.deny", assertThrows(ConfigException.class,
                () -> hook("deny: [" + "g".repeat(40) + "]")).key());
        assertEquals("prehooks.0.config.alow", assertThrows(ConfigException.class,
                () -> hook("alow: [" + A.hex() + "]")).key());
        assertEquals("prehooks.0.config.reload-interval", assertThrows(ConfigException.class,
                () -> hook("allow: [" + A.hex() + "]\nreload-interval: soon")).key());
    }

    @Test
    void aFileAloneIsAnAllowListWithCommentsAndBlankLines() throws Exception {
        Path file = dir.resolve("approved.txt");
        write(file, "# release torrents\n\n" + A.hex().toUpperCase() + "\n  " + B.hex() + "   # nightly\n");
        TorrentApprovalHook hook = fileHook("", file);
        announceFor(hook, A);
        announceFor(hook, B);
        assertRefused(hook, C);
    }

    @Test
    void fileEntriesJoinTheConfiguredList() throws Exception {
        Path file = dir.resolve("more.txt");
        write(file, B.hex() + "\n");
        TorrentApprovalHook allow = fileHook("allow: [" + A.hex() + "]", file);
        announceFor(allow, A);
        announceFor(allow, B);
        assertRefused(allow, C);

        TorrentApprovalHook deny = fileHook("deny: []", file);
        assertRefused(deny, B);
        announceFor(deny, A);
    }

    @Test
    void aChangedFileIsReloadedWithoutRestart() throws Exception {
        Path file = dir.resolve("approved.txt");
        TorrentApprovalHook hook = fileHookListingA(file);
        assertFalse(hook.reloadIfChanged(), "nothing changed yet");
        assertRefused(hook, B);

        write(file, B.hex() + "\n");
        assertTrue(hook.reloadIfChanged());
        assertApprovesOnlyBNotA(hook);
        assertFalse(hook.reloadIfChanged());
    }

    @Test
    void aFileReplacedByRenameIsReloaded() throws Exception {
        Path file = dir.resolve("approved.txt");
        TorrentApprovalHook hook = fileHookListingA(file);
        Path next = dir.resolve("approved.txt.new");
        Files.writeString(next, B.hex() + "\n");
        Files.setLastModifiedTime(next, Files.getLastModifiedTime(file));
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertTrue(hook.reloadIfChanged(), "same size and time, but a new inode");
        assertApprovesOnlyBNotA(hook);
    }

    @Test
    void aMalformedFileKeepsThePreviousListAndWarnsOncePerChange() throws Exception {
        Path file = dir.resolve("approved.txt");
        TorrentApprovalHook hook = fileHookListingA(file);

        write(file, B.hex() + "\nnot-a-hash\n");
        for (int i = 0; i < 3; i++) {
            assertFalse(hook.reloadIfChanged());
        }
        announceFor(hook, A);
        assertRefused(hook, B);
        assertEquals(1, warningCount());
        assertTrue(warnings.get(0).getMessage().contains("line 2"), warnings.get(0).getMessage());

        write(file, B.hex() + "\nstill wrong\n");
        assertFalse(hook.reloadIfChanged());
        assertFalse(hook.reloadIfChanged());
        assertEquals(2, warningCount());

        // bytes that are not UTF-8 text: said so, not the decoder's bare "Input length = 1"
        FileTime before = Files.getLastModifiedTime(file);
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 'a', '\n'});
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 2000));
        assertFalse(hook.reloadIfChanged());
        assertEquals(3, warningCount());
        assertTrue(warnings.get(2).getMessage().contains("not loaded (not UTF-8 text"), warnings.get(2).getMessage());
        announceFor(hook, A);

        write(file, B.hex() + "\n");
        assertTrue(hook.reloadIfChanged());
        assertApprovesOnlyBNotA(hook);
        assertEquals(3, warningCount());
    }

    @Test
    void aDeletedFileKeepsThePreviousListAndWarnsOnce() throws Exception {
        Path file = dir.resolve("approved.txt");
        TorrentApprovalHook hook = fileHookListingA(file);
        Files.delete(file);
        assertFalse(hook.reloadIfChanged());
        assertFalse(hook.reloadIfChanged());
        announceFor(hook, A);
        assertEquals(1, warningCount());

        write(file, B.hex() + "\n");
        assertTrue(hook.reloadIfChanged());
        announceFor(hook, B);
    }

    @Test
    void anUnreadableOrMalformedFileAtStartUpIsAStartUpError() throws Exception {
        ConfigException missing = assertThrows(ConfigException.class,
                () -> fileHook("", dir.resolve("missing.txt")));
        assertEquals("prehooks.0.config.file", missing.key());

        Path file = dir.resolve("bad.txt");
        write(file, A.hex() + "\n" + A.hex() + "ff\n");
        ConfigException malformed = assertThrows(ConfigException.class, () -> fileHook("", file));
        assertEquals("prehooks.0.config.file", malformed.key());
        assertTrue(malformed.getMessage().contains("line 2"), malformed.getMessage());
    }

    @Test
    void theSchedulerPollsTheFile() throws Exception {
        // the scheduler is inspected and its task run by the test: one poll due every interval, none after close
        Path file = dir.resolve("approved.txt");
        write(file, A.hex() + "\n");
        TorrentApprovalHook hook = hook("file: " + file + "\nreload-interval: 10m");
        assertEquals(600, InspectedScheduler.dueInSeconds(scheduler.only()), "first poll due in 10 min");
        write(file, B.hex() + "\n");
        scheduler.runOnlyTask();
        assertApprovesOnlyBNotA(hook);
        assertEquals(600, InspectedScheduler.dueInSeconds(scheduler.only()), "the next poll 10 min later");

        Files.delete(file);
        scheduler.runOnlyTask();
        assertEquals(1, scheduler.queued().size(), "a failed poll keeps the schedule");
        announceFor(hook, B);

        hook.close();
        assertEquals(List.of(), scheduler.queued(), "a closed hook stops polling");
    }
}
