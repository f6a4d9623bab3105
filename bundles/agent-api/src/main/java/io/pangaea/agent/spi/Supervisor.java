package io.pangaea.agent.spi;

import io.pangaea.model.json.MesosJson;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The small POSIX {@code sh} process a container's first process runs under (native tasks, {@code lxc-execute}), so that someone outside the agent's JVM sees
 * the task end. It starts the task in a session of its own (its pid is its process group), writes that pid to
 * {@code pid} in the container's runtime directory, waits for it, kills what the task left in its group, and writes
 * the exit status ({@code wait}'s: 128 + N for signal N) to {@code status}. Each file is one write of the shell's
 * built-in {@code printf}: a reader that finds it empty looks again ({@link #awaitPid}), and {@code status} is read
 * once the supervisor has ended. No fsync and no rename: the files serve a restart of the agent, which the page
 * cache survives, not of the machine, which the tasks do not; and {@code sync} and {@code mv} were four process
 * starts per task, a third of a short task's cost on one agent (BENCHMARKS.md, "Real processes on one agent").
 *
 * <p>In {@code ephemeral} mode (a framework that does not checkpoint) it also holds the read end of a pipe whose write
 * end only the agent's JVM has: when the JVM ends, for whatever reason, the pipe reads end-of-file and the supervisor
 * kills the task, as Mesos's executors of non-checkpointing frameworks end with their agent. In {@code checkpoint}
 * mode the task outlives the agent and a restarted agent finds it by the files.
 *
 * <p>What the containerizer adds (pids with their start times, to guard against reuse, and what it needs to clean
 * up) it keeps beside them, with {@link #writeJson} and {@link #readJson}.
 */
public final class Supervisor {

    /** Arguments: runtime directory, mode ({@code checkpoint} or {@code ephemeral}), then the task's argv. */
    static final String SCRIPT = String.join("\n",
            "dir=$1; mode=$2; shift 2",
            "record() { printf '%s\\n' \"$2\" > \"$dir/$1\"; }",
            "[ \"$mode\" = ephemeral ] && exec 3<&0",
            "exec </dev/null",
            "setsid \"$@\" 3<&- &",
            "child=$!",
            "record pid \"$child\"",
            "watcher=",
            "if [ \"$mode\" = ephemeral ]; then",
            // the task may not have made its group yet (setsid): then the process itself
            "  ( while read -r _; do :; done <&3; kill -KILL \"-$child\" 2>/dev/null"
                    + " || kill -KILL \"$child\" 2>/dev/null ) &",
            "  watcher=$!",
            "  exec 3<&-",
            "fi",
            "wait \"$child\"",
            "code=$?",
            "[ -n \"$watcher\" ] && kill \"$watcher\" 2>/dev/null",
            "kill -KILL \"-$child\" 2>/dev/null",
            "record status \"$code\"",
            "");

    /** The file, in the runtime directory, holding the supervised process's pid. */
    public static final String PID = "pid";
    /** The file, in the runtime directory, holding its exit status once it ended. */
    public static final String STATUS = "status";

    private Supervisor() {
    }

    /** The script files written, by directory (written once per directory and run of the agent). */
    private static final java.util.Set<Path> WRITTEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The argv that runs {@code task} under a supervisor writing into {@code dir}. The script is a file beside the
     * runtime directories ({@code pangaea-supervisor.sh}), so that {@code ps} shows what runs, not the script.
     */
    public static List<String> argv(Path dir, boolean outlivesAgent, List<String> task) throws IOException {
        Path script = dir.getParent().resolve("pangaea-supervisor.sh");
        if (!WRITTEN.contains(script) || !Files.exists(script)) {
            byte[] text = ("# Pangaea's container supervisor (see io.pangaea.agent.spi.Supervisor)\n" + SCRIPT)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (!Files.exists(script) || !java.util.Arrays.equals(Files.readAllBytes(script), text)) {
                Path tmp = Files.createTempFile(dir.getParent(), "pangaea-supervisor", ".tmp");
                Files.write(tmp, text);
                Files.move(tmp, script, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            WRITTEN.add(script);
        }
        List<String> argv = new ArrayList<>(List.of("setsid", "/bin/sh", script.toString(), dir.toString(),
                outlivesAgent ? "checkpoint" : "ephemeral"));
        argv.addAll(task);
        return argv;
    }

    /**
     * Waits for the supervisor to say the task's pid. Fails when the supervisor ends first, or takes more than
     * {@code timeoutMs}.
     */
    public static long awaitPid(Path dir, ProcessHandle supervisor, long timeoutMs) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long park = 50_000;
        Path f = dir.resolve(PID);
        while (true) {
            if (Files.exists(f)) {
                String text = Files.readString(f).trim();
                if (!text.isEmpty()) {
                    return Long.parseLong(text);
                }
            }
            if (!supervisor.isAlive() && !Files.exists(f)) {
                throw new IOException("the container's supervisor ended before it started the task");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the container's supervisor did not start the task within " + timeoutMs
                        + " ms");
            }
            LockSupport.parkNanos(park);
            park = Math.min(park * 2, 5_000_000);
        }
    }

    /** The exit status the supervisor recorded, if it did. */
    public static Optional<Integer> status(Path dir) {
        try {
            Path f = dir.resolve(STATUS);
            if (!Files.exists(f)) {
                return Optional.empty();
            }
            String text = Files.readString(f).trim();
            return text.isEmpty() ? Optional.empty() : Optional.of(Integer.parseInt(text));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** When {@code pid} started (ms since the epoch), or -1 when it does not run. */
    public static long startTime(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).map(java.time.Instant::toEpochMilli)
                .orElse(-1L);
    }

    /** The process {@code pid} if it runs and is the one that started at {@code start} (not a reused pid). */
    public static Optional<ProcessHandle> same(long pid, long start) {
        if (pid <= 1) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-2L) == start);
    }

    /**
     * Completes when a supervisor that is not this JVM's child ends: polled four times a second on {@code timers}
     * (the JDK polls such processes ever more slowly, up to every 5 s), or told by {@link ProcessHandle#onExit},
     * whichever comes first.
     */
    public static java.util.concurrent.CompletableFuture<Void> watchExit(ProcessHandle supervisor, long start,
            java.util.concurrent.ScheduledExecutorService timers) {
        java.util.concurrent.CompletableFuture<Void> ended = new java.util.concurrent.CompletableFuture<>();
        supervisor.onExit().thenRun(() -> ended.complete(null));
        java.util.concurrent.ScheduledFuture<?> poll = timers.scheduleWithFixedDelay(() -> {
            if (same(supervisor.pid(), start).isEmpty()) {
                ended.complete(null);
            }
        }, 250, 250, TimeUnit.MILLISECONDS);
        ended.whenComplete((x, e) -> poll.cancel(false));
        return ended;
    }

    /** Writes {@code value} as JSON to {@code dir/name}: temporary file, fsync, rename. */
    public static void writeJson(Path dir, String name, Object value) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.write(tmp, MesosJson.write(value));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * What a containerizer recorded in a container's runtime directory with {@link #writeJson}, for its recovery:
     * {@link ContainerNotFoundException} when there is no such record (the agent stopped while launching it),
     * {@link ContainerException} when it cannot be read.
     */
    public static <T> T recorded(ContainerSpec spec, String name, Class<T> type, String what)
            throws ContainerException {
        Path run = spec.runtimeDir();
        if (run == null || !Files.isRegularFile(run.resolve(name))) {
            throw new ContainerNotFoundException(what + " " + spec.containerId().value()
                    + " left no runtime information" + (run == null ? "" : " in " + run));
        }
        try {
            return readJson(run, name, type);
        } catch (IOException e) {
            throw new ContainerException(e.getMessage(), e);
        }
    }

    /** Reads what {@link #writeJson} wrote. */
    public static <T> T readJson(Path dir, String name, Class<T> type) throws IOException {
        try {
            return MesosJson.read(Files.readAllBytes(dir.resolve(name)), type);
        } catch (io.pangaea.model.json.MesosJsonException e) {
            throw new IOException("unreadable " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }
}
