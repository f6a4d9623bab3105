package io.pangaea.master.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.allocator.Quota;
import io.pangaea.model.Resource;
import io.pangaea.model.Resources;
import io.pangaea.model.Scalar;
import io.pangaea.model.ValueType;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.operator.QuotaConfig;
import io.pangaea.model.operator.WeightInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import io.pangaea.model.maintenance.MachineId;
import io.pangaea.model.maintenance.Schedule;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the master keeps across restarts and leaders, as Mesos keeps it in its registry: role weights and quotas,
 * reservations, the maintenance schedule, and the agents admitted, unreachable and gone. Written whole as JSON to a
 * file (atomically: write, then rename) or a ZooKeeper node; operator changes are written before they are answered,
 * agent changes in batches (see {@link #batchAgentWritesOn}); no store means memory only. Used on the master's event
 * loop only.
 */
public final class Registry {

    /** The resources a quota may name, as in Mesos. */
    public static final List<String> QUOTA_RESOURCES = List.of("cpus", "mem", "disk", "gpus");

    private record Stored(List<WeightInfo> weights, List<QuotaConfig> quotas,
                          Map<String, List<Resource>> reservations, Schedule maintenanceSchedule,
                          List<MachineId> downMachines, Agents agents) {}

    /**
     * An agent as the registry keeps it: its id, hostname and port (Mesos keeps its whole AgentInfo; these are what
     * the read endpoints show of an agent that has not re-registered yet).
     */
    public record AgentRecord(String id, String hostname, Integer port) {}

    /** An agent marked unreachable, and when (seconds since the epoch). */
    public record UnreachableRecord(String id, double time) {}

    /** The agents section: admitted, unreachable and gone, as Mesos's registrar keeps them. */
    private record Agents(List<AgentRecord> admitted, List<UnreachableRecord> unreachable, List<String> gone) {}

    private final Map<String, AgentRecord> admitted = new java.util.LinkedHashMap<>();
    private final Map<String, Double> unreachable = new java.util.LinkedHashMap<>();
    private final java.util.Set<String> gone = new java.util.LinkedHashSet<>();
    /**
     * Where agent changes are written from, batched: they mark the registry dirty and one write, queued here, takes
     * every change made until it runs. Null: each change is written at once.
     */
    private volatile java.util.concurrent.Executor batcher;
    private boolean writeQueued;
    /** Registry writes so far (each one the whole registry). */
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();

    /** The maintenance schedule, and the machines of it that are down (START_MAINTENANCE). */
    private Schedule maintenanceSchedule = Schedule.EMPTY;
    private final List<MachineId> downMachines = new java.util.ArrayList<>();

    private final Path file;
    private final Map<String, Double> weights = new TreeMap<>();
    private final Map<String, QuotaConfig> quotas = new TreeMap<>();
    /** Dynamic reservations and persistent volumes by agent id, as reserved resources (without allocation). */
    private final Map<String, Resources> reservations = new TreeMap<>();
    /** What the allocator sees, rebuilt on change only (every allocation cycle reads them). */
    private Map<String, Double> weightsView = Map.of();
    private Map<String, Quota> quotasView = Map.of();

    /** Where the registry is kept. */
    public Path file() {
        return file;
    }

    /** How the registry is kept, as the {@code registry} flag says it: {@code file}, {@code zookeeper} or
     *  {@code in_memory}. */
    public String kind() {
        return file != null ? "file" : store != null ? "zookeeper" : "in_memory";
    }

    /**
     * Where the registry's JSON is kept: a file (written atomically), or a ZooKeeper node shared by the masters.
     * {@code load} gives null when nothing was stored yet.
     */
    public interface Store {
        byte[] load() throws IOException;

        void save(byte[] bytes) throws IOException;
    }

    /** A store in a file, replaced atomically (write, then rename). */
    static Store fileStore(Path file) {
        return new Store() {
            @Override
            public byte[] load() throws IOException {
                return Files.exists(file) ? Files.readAllBytes(file) : null;
            }

            @Override
            public void save(byte[] bytes) throws IOException {
                Files.createDirectories(file.getParent());
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }

            @Override
            public String toString() {
                return file.toString();
            }
        };
    }

    private final Store store;

    /** A registry kept in {@code file} (loaded now if it exists), or in memory when {@code file} is null. */
    public Registry(Path file) {
        this(file, file == null ? null : fileStore(file));
    }

    /** A registry kept in {@code store} (loaded now), for example a ZooKeeper node the masters share. */
    public Registry(Store store) {
        this(null, store);
    }

    private Registry(Path file, Store store) {
        this.file = file;
        this.store = store;
        long t0 = System.nanoTime();
        byte[] stored;
        try {
            stored = store == null ? null : store.load();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the registry " + store + ": " + e.getMessage(), e);
        }
        if (stored != null && stored.length > 0) {
            try {
                sizeBytes = stored.length;
                ObjectMapper m = MesosJson.mapper();
                Stored s = m.readValue(stored, new TypeReference<Stored>() { });
                if (s.weights() != null) {
                    s.weights().forEach(w -> weights.put(w.role(), w.weight()));
                }
                if (s.quotas() != null) {
                    s.quotas().forEach(q -> quotas.put(q.role(), q));
                }
                if (s.reservations() != null) {
                    s.reservations().forEach((agent, list) -> reservations.put(agent, Resources.of(list)));
                }
                if (s.maintenanceSchedule() != null && s.maintenanceSchedule().windows() != null) {
                    maintenanceSchedule = s.maintenanceSchedule();
                }
                if (s.downMachines() != null) {
                    downMachines.addAll(s.downMachines());
                }
                if (s.agents() != null) {
                    if (s.agents().admitted() != null) {
                        s.agents().admitted().forEach(a -> admitted.put(a.id(), a));
                    }
                    if (s.agents().unreachable() != null) {
                        s.agents().unreachable().forEach(u -> unreachable.put(u.id(), u.time()));
                    }
                    if (s.agents().gone() != null) {
                        gone.addAll(s.agents().gone());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the registry " + store + ": " + e.getMessage(), e);
            }
        }
        fetchMillis = (System.nanoTime() - t0) / 1e6;
        refreshViews();
    }

    private void refreshViews() {
        weightsView = Map.copyOf(weights);
        Map<String, Quota> q = new TreeMap<>();
        quotas.forEach((role, c) -> q.put(role, new Quota(resources(c.guarantees()), resources(c.limits()))));
        quotasView = java.util.Collections.unmodifiableMap(q);
    }

    public static Registry inMemory() {
        return new Registry((Path) null);
    }

    public Map<String, Double> weights() {
        return weightsView;
    }

    public List<WeightInfo> weightInfos() {
        List<WeightInfo> out = new ArrayList<>();
        weights.forEach((r, w) -> out.add(new WeightInfo(w, r)));
        return out;
    }

    public List<QuotaConfig> quotaConfigs() {
        return List.copyOf(quotas.values());
    }

    /** The quotas as the allocator sees them. */
    public Map<String, Quota> quotas() {
        return quotasView;
    }

    static Resources resources(Map<String, Scalar> quantities) {
        if (quantities == null) {
            return Resources.EMPTY;
        }
        List<Resource> list = new ArrayList<>();
        quantities.forEach((name, v) -> list.add(new Resource(name, ValueType.SCALAR, v, null, null, null, null,
                null)));
        return Resources.of(list);
    }

    /** Sets weights (weight 1 removes the entry, as it is the default) and persists them. */
    public void updateWeights(List<WeightInfo> infos) {
        for (WeightInfo w : infos) {
            if (w.weight() == 1.0) {
                weights.remove(w.role());
            } else {
                weights.put(w.role(), w.weight());
            }
        }
        save();
    }

    /** Sets quotas (no guarantees and no limits removes the role's quota) and persists them. */
    public void updateQuotas(List<QuotaConfig> configs) {
        for (QuotaConfig q : configs) {
            boolean none = (q.guarantees() == null || q.guarantees().isEmpty())
                    && (q.limits() == null || q.limits().isEmpty());
            if (none) {
                quotas.remove(q.role());
            } else {
                quotas.put(q.role(), new QuotaConfig(q.role(), q.guarantees() == null ? Map.of() : q.guarantees(),
                        q.limits() == null ? Map.of() : q.limits()));
            }
        }
        save();
    }

    private Map<String, List<Resource>> reservationLists() {
        Map<String, List<Resource>> out = new TreeMap<>();
        reservations.forEach((agent, r) -> out.put(agent, r.toList()));
        return out;
    }

    /** Records a dynamic reservation made on {@code agentId} (RESERVE) and persists it. */
    public void addReservation(String agentId, Resources reserved) {
        reservations.merge(agentId, reserved, Resources::plus);
        save();
    }

    /** Forgets a dynamic reservation (UNRESERVE) and persists that. */
    public void removeReservation(String agentId, Resources reserved) {
        Resources left = reservations.getOrDefault(agentId, Resources.EMPTY).minus(reserved);
        if (left.isEmpty()) {
            reservations.remove(agentId);
        } else {
            reservations.put(agentId, left);
        }
        save();
    }

    public Resources reservations(String agentId) {
        return reservations.getOrDefault(agentId, Resources.EMPTY);
    }

    /**
     * An agent's total with its dynamic reservations applied: each reserved resource replaces the same amount of
     * what it was reserved from. A reservation the agent no longer has room for is skipped.
     */
    public Resources applyReservations(String agentId, Resources total) {
        Resources out = total;
        Resources recorded = reservations.getOrDefault(agentId, Resources.EMPTY);
        // reservations first, then the persistent volumes made out of reserved disk
        for (boolean volumes : new boolean[] {false, true}) {
            for (Resource r : recorded) {
                if (r.isPersistentVolume() != volumes) {
                    continue;
                }
                Resources from = Resources.of(volumes ? r.withDisk(null) : ReservationChange.pop(r));
                if (out.contains(from)) {
                    out = out.minus(from).plus(Resources.of(r));
                }
            }
        }
        return out;
    }

    /** How long writing the registry takes (each change is written before it is answered). */
    private final io.pangaea.http.Metrics.Timer storeTimer = new io.pangaea.http.Metrics.Timer();
    private volatile double fetchMillis;
    private volatile long sizeBytes;

    /**
     * {@code registrar/state_fetch_ms} (reading the registry at start), {@code registrar/state_store_ms} (a timer
     * of the writes) and {@code registrar/registry_size_bytes}, under Mesos's names.
     */
    public void addMetrics(com.fasterxml.jackson.databind.node.ObjectNode m) {
        m.put("registrar/state_fetch_ms", fetchMillis);
        storeTimer.addTo(m, "registrar/state_store_ms");
        m.put("registrar/registry_size_bytes", (double) sizeBytes);
    }

    /** The maintenance schedule in force (empty when none). */
    public Schedule maintenanceSchedule() {
        return maintenanceSchedule;
    }

    /** The machines of the schedule that are down. */
    public List<MachineId> downMachines() {
        return List.copyOf(downMachines);
    }

    /** Records a new schedule and which of its machines are down, and persists them. */
    public void updateMaintenance(Schedule schedule, List<MachineId> down) {
        maintenanceSchedule = schedule;
        downMachines.clear();
        downMachines.addAll(down);
        save();
    }

    // ---- agents ---------------------------------------------------------------------------------------------

    /**
     * Agent changes are written in batches from {@code executor} (the master's event loop): a burst of
     * registrations costs a few writes of the registry, not one each.
     */
    public void batchAgentWritesOn(java.util.concurrent.Executor executor) {
        this.batcher = executor;
    }

    /** The agents admitted (registered and not unreachable or gone), in the order they were admitted. */
    public List<AgentRecord> admittedAgents() {
        return List.copyOf(admitted.values());
    }

    /** When each unreachable agent was marked so (seconds since the epoch), by id. */
    public Map<String, Double> unreachableAgents() {
        return java.util.Collections.unmodifiableMap(unreachable);
    }

    public java.util.Set<String> goneAgents() {
        return java.util.Collections.unmodifiableSet(gone);
    }

    /** An agent registered or re-registered: it is admitted (and no longer unreachable). */
    public void admitAgent(AgentRecord agent) {
        AgentRecord before = admitted.put(agent.id(), agent);
        boolean wasUnreachable = unreachable.remove(agent.id()) != null;
        if (!agent.equals(before) || wasUnreachable) {
            saveAgents();
        }
    }

    /** An agent did not come back in time: unreachable since {@code time}, no longer admitted. */
    public void markAgentUnreachable(String id, double time) {
        admitted.remove(id);
        unreachable.put(id, time);
        saveAgents();
    }

    /** The agent is removed (a new agent took its place): it is neither admitted nor unreachable any more. */
    public void removeAgent(String id) {
        if (admitted.remove(id) != null | unreachable.remove(id) != null) {
            saveAgents();
        }
    }

    /** MARK_AGENT_GONE: the agent may never register again. */
    public void markAgentGone(String id) {
        admitted.remove(id);
        unreachable.remove(id);
        gone.add(id);
        saveAgents();
    }

    /** How many times the registry was written. */
    public long writes() {
        return writes.get();
    }

    private void saveAgents() {
        java.util.concurrent.Executor b = batcher;
        if (b == null || store == null) {
            save();
            return;
        }
        if (!writeQueued) {
            writeQueued = true;
            b.execute(() -> {
                writeQueued = false;
                try {
                    save();
                } catch (UncheckedIOException e) {
                    // a deposed leader's write is refused (the version changed): the new leader's registry stands
                    org.slf4j.LoggerFactory.getLogger(Registry.class).warn("Agent changes not written: {}",
                            e.getMessage());
                }
            });
        }
    }

    private void save() {
        refreshViews();
        if (store == null) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            List<UnreachableRecord> u = new ArrayList<>();
            unreachable.forEach((id, time) -> u.add(new UnreachableRecord(id, time)));
            byte[] bytes = MesosJson.mapper().writeValueAsBytes(new Stored(weightInfos(), quotaConfigs(),
                    reservationLists(), maintenanceSchedule, List.copyOf(downMachines),
                    new Agents(List.copyOf(admitted.values()), u, List.copyOf(gone))));
            store.save(bytes);
            writes.incrementAndGet();
            sizeBytes = bytes.length;
            storeTimer.record((System.nanoTime() - t0) / 1e6);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the registry " + store + ": " + e.getMessage(), e);
        }
    }
}
