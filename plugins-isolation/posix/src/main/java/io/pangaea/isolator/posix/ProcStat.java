package io.pangaea.isolator.posix;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads CPU time and resident memory of a process group from {@code /proc}. */
final class ProcStat {

    /** Linux reports times in USER_HZ, which is 100 on every architecture Pangaea runs on. */
    private static final double TICKS = 100.0;
    private static final long PAGE = 4096;

    record Usage(int processes, int threads, double userSecs, double systemSecs, long rssBytes) {}

    private ProcStat() {}

    static Usage ofGroup(long pgid) {
        int procs = 0;
        int threads = 0;
        long utime = 0;
        long stime = 0;
        long rss = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : dir) {
                String[] f = fields(p.resolve("stat"));
                if (f == null || Long.parseLong(f[4]) != pgid) {
                    continue;
                }
                procs++;
                utime += Long.parseLong(f[13]);
                stime += Long.parseLong(f[14]);
                threads += Integer.parseInt(f[19]);
                rss += Long.parseLong(f[23]) * PAGE;
            }
        } catch (IOException | RuntimeException e) {
            // a process may vanish while it is read; report what was seen
        }
        return new Usage(procs, threads, utime / TICKS, stime / TICKS, rss);
    }

    /** The fields of /proc/PID/stat, with the command name (which may hold spaces) as one field. */
    private static String[] fields(Path stat) {
        try {
            String s = Files.readString(stat);
            int close = s.lastIndexOf(')');
            String[] rest = s.substring(close + 2).trim().split(" ");
            String[] out = new String[rest.length + 2];
            out[0] = s.substring(0, s.indexOf(' '));
            out[1] = s.substring(s.indexOf('(') + 1, close);
            System.arraycopy(rest, 0, out, 2, rest.length);
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
