package io.swarmgate.hook.approval;

import io.swarmgate.bittorrent.InfoHash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The info_hash file of {@code torrent-approval}: one info_hash per line (40 hex digits, either case), blank
 * lines and {@code #} comments (whole-line or after an entry) allowed. A file with any other line is refused as
 * a whole, so a half-edited file never becomes a half list.
 */
final class ApprovalFile {

    /**
     * What is cheap to poll and changes whenever the content does in practice: modification time, size, and
     * the file key (inode), which changes when the file is replaced by a rename.
     */
    record Signature(FileTime modified, long size, Object fileKey) {
    }

    /** Thrown for a line that is not an info_hash; the message names the line. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    private ApprovalFile() {
    }

    static Signature signature(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new Signature(a.lastModifiedTime(), a.size(), a.fileKey());
    }

    static Set<InfoHash> read(Path file) throws IOException, MalformedException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static Set<InfoHash> parse(List<String> lines) throws MalformedException {
        Set<InfoHash> out = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String entry = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (entry.isEmpty()) {
                continue;
            }
            try {
                out.add(TorrentApprovalConfig.parseHex(entry));
            } catch (IllegalArgumentException e) {
                throw new MalformedException("line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return out;
    }
}
