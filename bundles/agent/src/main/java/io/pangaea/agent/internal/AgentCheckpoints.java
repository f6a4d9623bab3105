package io.pangaea.agent.internal;

import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.json.MesosJsonException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent keeps on disk across its restarts, under {@code work_dir/meta} in Mesos's layout:
 * <pre>
 * meta/boot_id
 * meta/slaves/latest                         (a link to the current agent's directory)
 * meta/slaves/&lt;agent&gt;/slave.info
 * meta/slaves/&lt;agent&gt;/frameworks/&lt;fw&gt;/framework.info
 * meta/slaves/&lt;agent&gt;/frameworks/&lt;fw&gt;/executors/&lt;ex&gt;/executor.info
 * meta/slaves/&lt;agent&gt;/frameworks/&lt;fw&gt;/executors/&lt;ex&gt;/runs/&lt;container&gt;/run.info
 * meta/slaves/&lt;agent&gt;/frameworks/&lt;fw&gt;/executors/&lt;ex&gt;/runs/&lt;container&gt;/pids/forked.pid
 * meta/slaves/&lt;agent&gt;/frameworks/&lt;fw&gt;/executors/&lt;ex&gt;/runs/&lt;container&gt;/tasks/&lt;task&gt;/task.info
 * meta/slaves/&lt;agent&gt;/frameworks/&lt;fw&gt;/executors/&lt;ex&gt;/runs/&lt;container&gt;/tasks/&lt;task&gt;/task.updates
 * </pre>
 * The files hold JSON (Mesos's hold protobuf). Each {@code .info} is written whole, atomically (a temporary file,
 * fsync, rename); {@code task.updates} is a journal, one JSON line per status update or acknowledgement, appended
 * and fsynced before the update leaves the agent, so a restarted agent resends exactly what was never acknowledged.
 * A last line cut short by a crash is ignored. Only tasks of frameworks that checkpoint are kept. The id file of the
 * earlier layout, {@code meta/agent_id}, is still read (and written), so an upgraded agent keeps its id.
 * Must not touch: anything in memory; it reads and writes files.
 */
final class AgentCheckpoints extends AgentPart {

    private static final Logger LOG = LoggerFactory.getLogger(AgentCheckpoints.class);

    AgentCheckpoints(AgentContext ctx) {
        super(ctx);
    }

    Path meta() {
        return config().workDir().resolve("meta");
    }

    Path agentIdFile() {
        return meta().resolve("agent_id");
    }

    /** Where each container's runtime directory is made (Mesos's {@code runtime_dir/containers}). */
    Path runtimeRoot() {
        return config().workDir().resolve("containers");
    }

    Path runtimeDir(ContainerId id) {
        return runtimeRoot().resolve(id.value());
    }

    /**
     * A container that is done with needs no runtime directory any more: it goes, on a worker thread. A failure is
     * only logged: the next start's orphan sweep removes what is left.
     */
    void removeRuntimeDir(ContainerId id) {
        Path dir = runtimeDir(id);
        workers.execute(() -> {
            try {
                deleteTree(dir);
            } catch (IOException e) {
                LOG.debug("Cannot remove {}: {}", dir, e.toString());
            }
        });
    }

    // ---- the agent --------------------------------------------------------------------------------------------

    AgentId readAgentId() {
        try {
            Path latest = meta().resolve("slaves").resolve("latest");
            if (Files.isSymbolicLink(latest)) {
                String v = Files.readSymbolicLink(latest).getFileName().toString();
                if (!v.isEmpty()) {
                    return AgentId.of(v);
                }
            }
            Path f = agentIdFile();
            if (Files.exists(f)) {
                String v = Files.readString(f).trim();
                return v.isEmpty() ? null : AgentId.of(v);
            }
        } catch (IOException e) {
            LOG.warn("Cannot read the agent id checkpoint; registering as a new agent", e);
        }
        return null;
    }

    /** The id the master gave: {@code slaves/latest} points at its directory (and {@code agent_id} holds it). */
    void writeAgentId(AgentId id) {
        try {
            Path slaves = Files.createDirectories(meta().resolve("slaves"));
            Files.createDirectories(slaves.resolve(id.value()));
            Path tmp = slaves.resolve("latest.tmp");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, Path.of(id.value()));
            Files.move(tmp, slaves.resolve("latest"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            atomically(agentIdFile(), id.value().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("Cannot checkpoint the agent id", e);
        }
    }

    /**
     * What agent {@code id} runs with now (hostname, port, resources and the configured attributes, not the advertised
     * ones), for {@code reconfiguration_policy} at the next start.
     */
    void writeAgentInfo(AgentId id) {
        AgentInfo info = new AgentInfo(config().hostname(), config().port(), config().resources().toList(),
                config().attributes(), id);
        try {
            atomically(agentDir(info.id()).resolve("slave.info"), MesosJson.write(info));
        } catch (IOException e) {
            LOG.warn("Cannot checkpoint the agent's info", e);
        }
    }

    /** The agent's info as checkpointed when it last registered, or null. */
    AgentInfo readAgentInfo(AgentId id) {
        Path f = agentDir(id).resolve("slave.info");
        return Files.exists(f) ? read(f, AgentInfo.class) : null;
    }

    private Path agentDir(AgentId id) {
        return meta().resolve("slaves").resolve(id.value());
    }

    /** This boot of the machine, as the kernel names it; "" where it does not. */
    static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Compares the machine's boot with the one checkpointed, then records the current one. False when the machine
     * rebooted since: nothing the earlier run started can still be running.
     */
    boolean sameBoot() {
        String now = bootId();
        Path f = meta().resolve("boot_id");
        boolean same = true;
        try {
            if (Files.exists(f)) {
                same = Files.readString(f).trim().equals(now);
            }
            atomically(f, now.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("Cannot read or write the boot id checkpoint", e);
        }
        return same;
    }

    /** After a reboot: the earlier run's agent and its tasks are forgotten (moved aside, not deleted). */
    void forgetAgent() {
        try {
            Path slaves = meta().resolve("slaves");
            if (Files.exists(slaves)) {
                Files.move(slaves, meta().resolve("slaves.before-reboot-" + System.currentTimeMillis()));
            }
            Files.deleteIfExists(agentIdFile());
        } catch (IOException e) {
            LOG.warn("Cannot move the earlier agent's checkpoints aside", e);
        }
    }

    // ---- tasks --------------------------------------------------------------------------------------------------

    /**
     * How a checkpointed container was launched: what recovery needs to find it again. {@code executor} is the
     * framework's executor: null for a command task; a custom one when the container is that executor's (its tasks
     * are under the run); the default one when the container is one task's of a group, then with
     * {@code executorContainer} (the default executor's container id, naming its sandbox) and {@code group} (the ids
     * of the tasks launched together).
     */
    record RunInfo(String containerizer, List<String> isolation, String runtimeDir, String sandbox,
                   io.pangaea.model.ExecutorInfo executor, String executorContainer, List<io.pangaea.model.TaskId> group,
                   List<io.pangaea.model.Resource> resources) {

        RunInfo(String containerizer, List<String> isolation, String runtimeDir, String sandbox) {
            this(containerizer, isolation, runtimeDir, sandbox, null, null, null, null);
        }

        /** The run is a custom executor's container. */
        boolean customExecutor() {
            return executor != null && !executor.isDefault();
        }
    }

    /** One line of {@code task.updates}: a status update, or the acknowledgement of one (its uuid). */
    record UpdateRecord(TaskStatus status, String ack) {}

    /**
     * A task found in the checkpoints: its framework, what it was launched with, and its update journal. {@code run}
     * is null for the task of a custom executor that ended (its run's info is gone; the task waits for the
     * acknowledgement of its last update).
     */
    record Checkpointed(FrameworkInfo framework, TaskInfo task, ContainerId containerId, RunInfo run,
                        List<TaskStatus> updates, Set<String> acknowledged, Path runDir) {}

    /** A custom executor's run found in the checkpoints, with the tasks it was given. */
    record CheckpointedExecutor(FrameworkInfo framework, ContainerId containerId, RunInfo run,
                                List<Checkpointed> tasks) {}

    private Path runDir(TaskRun t) {
        return agentDir(ctx.agentId).resolve("frameworks").resolve(t.frameworkId.value()).resolve("executors")
                .resolve(t.executorId().value()).resolve("runs").resolve(t.containerId.value());
    }

    private Path taskDir(TaskRun t) {
        return runDir(t).resolve("tasks").resolve(t.info.taskId().value());
    }

    /**
     * Before a checkpointing framework's command task, or task of the default executor, is launched: its framework,
     * its executor (the command executor named after it, or the default one), the run and the task. State thread.
     */
    void writeTask(FrameworkInfo framework, TaskRun t, RunInfo run) throws IOException {
        Path ex = writeFramework(framework).resolve("executors").resolve(t.executorId().value());
        if (t.executor != null) {
            atomically(ex.resolve("executor.info"), MesosJson.write(t.executor.info));
        } else {
            com.fasterxml.jackson.databind.node.ObjectNode executor = MesosJson.mapper().createObjectNode();
            executor.putObject("executor_id").put("value", t.executorId().value());
            executor.putObject("framework_id").put("value", framework.id().value());
            executor.put("name", "Command Executor (Task: " + t.info.taskId().value() + ")");
            executor.set("command", MesosJson.tree(t.info.command()));
            atomically(ex.resolve("executor.info"), MesosJson.write(executor));
        }
        atomically(runDir(t).resolve("run.info"), MesosJson.write(run));
        atomically(taskDir(t).resolve("task.info"), MesosJson.write(t.info));
    }

    private Path writeFramework(FrameworkInfo framework) throws IOException {
        Path fw = agentDir(ctx.agentId).resolve("frameworks").resolve(framework.id().value());
        atomically(fw.resolve("framework.info"), MesosJson.write(framework));
        return fw;
    }

    private Path executorRunDir(ExecutorRun e) {
        return agentDir(ctx.agentId).resolve("frameworks").resolve(e.framework.id().value()).resolve("executors")
                .resolve(e.info.executorId().value()).resolve("runs").resolve(e.containerId.value());
    }

    /** Before a checkpointing framework's custom executor is launched: its framework, the executor and its run. */
    void writeExecutor(ExecutorRun e, RunInfo run) throws IOException {
        Path run0 = executorRunDir(e);
        writeFramework(e.framework);
        atomically(run0.getParent().getParent().resolve("executor.info"), MesosJson.write(e.info));
        atomically(run0.resolve("run.info"), MesosJson.write(run));
    }

    /** A task given to a checkpointed custom executor, under the executor's run. State thread. */
    void writeExecutorTask(TaskRun t) {
        try {
            atomically(taskDir(t).resolve("task.info"), MesosJson.write(t.info));
        } catch (IOException e) {
            LOG.warn("Task {}: cannot checkpoint it; it will not survive an agent restart", t.info.taskId(), e);
            t.checkpointed = false;
        }
    }

    /** The executor's container is gone: its run is not to be recovered; its tasks stay until acknowledged. */
    void removeExecutor(ExecutorRun e) {
        Path run = executorRunDir(e);
        try {
            Files.deleteIfExists(run.resolve("run.info"));
            deleteTree(run.resolve("pids"));
            removeIfDone(run);
        } catch (IOException x) {
            LOG.warn("Executor {}: cannot remove its checkpoints from {}", e.info.executorId(), run, x);
        }
    }

    /** Removes a run that holds no more tasks and no run info, then its executor's and framework's when empty. */
    private static void removeIfDone(Path run) throws IOException {
        boolean empty;
        try (Stream<Path> s = Files.exists(run.resolve("tasks")) ? Files.list(run.resolve("tasks")) : Stream.empty()) {
            empty = s.findAny().isEmpty();
        }
        if (!empty || Files.exists(run.resolve("run.info"))) {
            return;
        }
        removeRun(run);
    }

    /** Removes a run, then its executor's and framework's directories when nothing else is left in them. */
    private static void removeRun(Path run) throws IOException {
        deleteTree(run);
        Path executor = run.getParent().getParent();
        deleteIfOnly(executor, "executor.info", "runs");
        Path framework = executor.getParent().getParent();
        deleteIfOnly(framework, "framework.info", "executors");
    }

    /** The pid of the container's first process, once it runs. */
    void writePid(TaskRun t, long pid) {
        try {
            atomically(runDir(t).resolve("pids").resolve("forked.pid"),
                    Long.toString(pid).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("Task {}: cannot checkpoint its pid", t.info.taskId(), e);
        }
    }

    /** Journals a status update before it is sent. State thread. */
    void appendUpdate(TaskRun t, TaskStatus status) {
        append(t, new UpdateRecord(status, null));
    }

    /** Journals the framework's acknowledgement of {@code uuid}. State thread. */
    void appendAck(TaskRun t, String uuid) {
        append(t, new UpdateRecord(null, uuid));
    }

    private void append(TaskRun t, UpdateRecord r) {
        Path f = taskDir(t).resolve("task.updates");
        byte[] line = MesosJson.write(r);
        ByteBuffer buf = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
        try {
            Files.createDirectories(f.getParent());
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(false);
            }
        } catch (IOException e) {
            LOG.warn("Task {}: cannot journal a status update; it may be lost if the agent restarts",
                    t.info.taskId(), e);
        }
    }

    /**
     * A checkpointed task is done with (terminal, every update acknowledged): its run's checkpoints go, and its
     * executor's and framework's when nothing else is left in them.
     */
    void removeTask(TaskRun t) {
        Path run = runDir(t);
        try {
            if (t.executor != null && !t.executor.builtin) {
                // the run is its executor's, shared with its other tasks
                deleteTree(taskDir(t));
                removeIfDone(run);
                return;
            }
            removeRun(run);
        } catch (IOException e) {
            LOG.warn("Task {}: cannot remove its checkpoints from {}", t.info.taskId(), run, e);
        }
    }

    /** Removes {@code dir} when it holds nothing but {@code info} and an empty {@code children} directory. */
    private static void deleteIfOnly(Path dir, String info, String children) throws IOException {
        Path kids = dir.resolve(children);
        boolean empty;
        try (Stream<Path> s = Files.exists(kids) ? Files.list(kids) : Stream.empty()) {
            empty = s.findAny().isEmpty();
        }
        if (empty) {
            deleteTree(dir);
        }
    }

    /**
     * Every checkpointed task of agent {@code id} that is not a custom executor's, with what recovery needs.
     * Unreadable ones are logged and left.
     */
    List<Checkpointed> tasks(AgentId id) {
        return scan(id, null).stream().filter(c -> c.run() == null || !c.run().customExecutor()).toList();
    }

    /** Every checkpointed run of a custom executor of agent {@code id}, with its tasks. */
    List<CheckpointedExecutor> executors(AgentId id) {
        List<CheckpointedExecutor> out = new ArrayList<>();
        scan(id, out);
        return out;
    }

    /**
     * Every task found; the runs of custom executors (whose tasks are among those returned) also go to
     * {@code executors} when given. A custom executor's task whose run has no info any more (the executor ended) has
     * no run.
     */
    private List<Checkpointed> scan(AgentId id, List<CheckpointedExecutor> executors) {
        List<Checkpointed> out = new ArrayList<>();
        Path frameworks = agentDir(id).resolve("frameworks");
        for (Path fw : children(frameworks)) {
            FrameworkInfo framework = read(fw.resolve("framework.info"), FrameworkInfo.class);
            if (framework == null) {
                continue;
            }
            for (Path ex : children(fw.resolve("executors"))) {
                for (Path run : children(ex.resolve("runs"))) {
                    RunInfo info = Files.exists(run.resolve("run.info")) ? read(run.resolve("run.info"),
                            RunInfo.class) : null;
                    if (info == null && !Files.isDirectory(run.resolve("tasks"))) {
                        continue;
                    }
                    int first = out.size();
                    for (Path task : children(run.resolve("tasks"))) {
                        TaskInfo t = read(task.resolve("task.info"), TaskInfo.class);
                        if (t == null) {
                            continue;
                        }
                        List<TaskStatus> updates = new ArrayList<>();
                        Set<String> acks = new HashSet<>();
                        journal(task.resolve("task.updates"), updates, acks);
                        out.add(new Checkpointed(framework, t, ContainerId.of(run.getFileName().toString()), info,
                                updates, acks, run));
                    }
                    if (executors != null && info != null && info.customExecutor()) {
                        executors.add(new CheckpointedExecutor(framework, ContainerId.of(run.getFileName()
                                .toString()), info, List.copyOf(out.subList(first, out.size()))));
                    }
                }
            }
        }
        return out;
    }

    private static void journal(Path f, List<TaskStatus> updates, Set<String> acks) {
        if (!Files.exists(f)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                try {
                    UpdateRecord r = MesosJson.read(line.getBytes(StandardCharsets.UTF_8), UpdateRecord.class);
                    if (r.status() != null) {
                        updates.add(r.status());
                    } else if (r.ack() != null) {
                        acks.add(r.ack());
                    }
                } catch (MesosJsonException e) {
                    // a line cut short by a crash can only be the last one
                    LOG.warn("{}: line {} of {} is unreadable{}", f, i + 1, lines.size(),
                            i == lines.size() - 1 ? " (cut short by a crash); ignored" : ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot read {}", f, e);
        }
    }

    private static <T> T read(Path f, Class<T> type) {
        try {
            return MesosJson.read(Files.readAllBytes(f), type);
        } catch (IOException | MesosJsonException e) {
            LOG.warn("Cannot read the checkpoint {}: {}", f, e.toString());
            return null;
        }
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            LOG.warn("Cannot list {}", dir, e);
            return List.of();
        }
    }

    /** Writes {@code f} whole or not at all: a temporary file, fsync, rename. */
    static void atomically(Path f, byte[] content) throws IOException {
        Files.createDirectories(f.getParent());
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
