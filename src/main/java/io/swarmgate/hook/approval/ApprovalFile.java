package io.swarmgate.hook.approval;

import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.hook.PolledFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The info_hash file of {@code torrent-approval}: one info_hash per line (40 hex digits, either case), blank
 * lines and {@code #} comments (whole-line or after an entry) allowed. A file with any other line is refused as
 * a whole, so a half-edited file never becomes a half list.
 */
final class ApprovalFile {

    private ApprovalFile() {
    }

    static Set<InfoHash> read(Path file) throws IOException, PolledFile.MalformedException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static Set<InfoHash> parse(List<String> lines) throws PolledFile.MalformedException {
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
                throw new PolledFile.MalformedException("line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return out;
    }
}
