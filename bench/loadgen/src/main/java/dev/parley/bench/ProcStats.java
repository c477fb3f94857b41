package dev.parley.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and peak memory of a process, read from Linux's {@code /proc}. */
final class ProcStats {

    private ProcStats() {
    }

    /** User plus system CPU time of the process (all threads) in nanoseconds. */
    static long cpuNanos(long pid, long clockTicksPerSecond) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces, so fields are counted after its closing parenthesis:
            // field 3 is the first one there, utime and stime are fields 14 and 15.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 1_000_000_000L / clockTicksPerSecond;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the CPU time of process " + pid, e);
        }
    }

    /** Peak resident set size (VmHWM) in kB since start or since the last {@link #resetPeak}. */
    static long peakRssKb(long pid) {
        return statusKb(pid, "VmHWM:");
    }

    static long rssKb(long pid) {
        return statusKb(pid, "VmRSS:");
    }

    /**
     * Resets the peak RSS to the current RSS (writing 5 to {@code clear_refs}, Linux 4.0+), so each case reports its
     * own peak. Needs to own the process or be root; where that fails the peak stays the lifetime peak.
     */
    static boolean resetPeak(long pid) {
        try {
            Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The 1-minute load average: other work on the machine skews every figure, so each run notes it. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static long statusKb(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
            return -1;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the status of process " + pid, e);
        }
    }
}
