package io.pangaea.benchmarks.emulator;

import io.pangaea.model.TaskState;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Emulated agents and load frameworks against a running master, printing progress every second:
 * {@code LoadRun MASTER_URL AGENTS FRAMEWORKS TASKS_PER_FRAMEWORK TASK_MS [TASKS_PER_OFFER [AGENT_RESOURCES]]}. For trying a scenario by hand; the
 * benchmarks and tests drive the same parts.
 */
public final class LoadRun {

    private LoadRun() {}

    public static void main(String[] args) throws Exception {
        List<URI> masters = List.of(args[0].split(",")).stream().map(URI::create).toList();
        int agents = Integer.parseInt(args[1]);
        int frameworks = Integer.parseInt(args[2]);
        int perFramework = Integer.parseInt(args[3]);
        long taskMs = Long.parseLong(args[4]);
        int perOffer = args.length > 5 ? Integer.parseInt(args[5]) : 10;
        String resources = args.length > 6 ? args[6] : "cpus:4;mem:8192;disk:10240;ports:[31000-32000]";
        AgentEmulator.Options o = new AgentEmulator.Options(agents, masters, resources, taskMs, 4, 500, 0, 0, 0, 1, 1000, "load", true);
        try (AgentEmulator emulator = new AgentEmulator(o).start()) {
            while (emulator.registered() < agents) {
                Thread.sleep(200);
            }
            System.out.println("registered " + agents);
            List<LoadFramework> fws = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < frameworks; i++) {
                fws.add(new LoadFramework(masters, "load-" + i, perFramework, perOffer, "cpus:0.1;mem:32").start());
            }
            int total = frameworks * perFramework;
            while (fws.stream().mapToInt(LoadFramework::ended).sum() < total) {
                Thread.sleep(1000);
                System.out.printf("%.1f s launched=%d running=%d ended=%d calls_waiting=%d | %s%n",
                        (System.nanoTime() - t0) / 1e9,
                        fws.stream().mapToInt(LoadFramework::launched).sum(),
                        fws.stream().mapToLong(LoadFramework::running).sum(),
                        fws.stream().mapToInt(LoadFramework::ended).sum(),
                        fws.stream().mapToInt(LoadFramework::callsWaiting).sum(), emulator.status());
            }
            System.out.printf("all %d ended in %.2f s; bad: %d; launched twice: %d; calls unanswered: %d, their"
                            + " tasks never launched: %d%n", total, (System.nanoTime() - t0) / 1e9,
                    fws.stream().mapToInt(f -> f.endedBadly(TaskState.TASK_FINISHED).size()).sum(),
                    emulator.launchedTwice().size(), fws.stream().mapToLong(LoadFramework::failedCalls).sum(),
                    fws.stream().mapToLong(LoadFramework::dropped).sum());
            fws.forEach(LoadFramework::close);
        }
    }
}
