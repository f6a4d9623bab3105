package io.pangaea.containerizer.nativ;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a signal to a whole process group. With libc reachable through JNA this is one {@code kill(2)} call; where
 * it is not, it falls back to running {@code kill -SIG -- -PGID}, which costs a process per signal.
 */
final class Signals {

    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);
    static final int SIGTERM = 15;
    static final int SIGKILL = 9;

    /** The part of libc we call. */
    public interface LibC extends Library {
        int kill(int pid, int signal);
    }

    private static final LibC LIBC = load();

    private Signals() {
    }

    private static LibC load() {
        try {
            return Native.load("c", LibC.class);
        } catch (Throwable e) {
            LOG.warn("libc is not reachable through JNA ({}); signalling through the kill command", e.toString());
            return null;
        }
    }

    static boolean native_() {
        return LIBC != null;
    }

    /** Signals every process of group {@code pgid}; false when the group has no process left. */
    static boolean signalGroup(long pgid, int signal) {
        if (pgid <= 1) {
            throw new IllegalArgumentException("refusing to signal process group " + pgid);
        }
        if (LIBC != null) {
            return LIBC.kill((int) -pgid, signal) == 0;
        }
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, "--", "-" + pgid).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
