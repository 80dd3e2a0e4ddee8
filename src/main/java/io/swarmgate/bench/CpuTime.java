package io.swarmgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's user + system CPU time from Linux {@code /proc/PID/stat}. */
final class CpuTime {
    /** USER_HZ: 100 on every Linux this runs on. */
    static final int TICKS_PER_SECOND = 100;

    private CpuTime() {
    }

    /** utime + stime in clock ticks, or -1 when unknown (no such process, not Linux, pid 0). */
    static long ticks(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
