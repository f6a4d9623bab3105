package io.pangaea.containerizer.nativ;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Containerizer;
import io.pangaea.agent.spi.Isolator;
import io.pangaea.model.CommandInfo;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Runs a task as a child process of the agent, in its own session and process group ({@code setsid}), with the
 * sandbox as working directory and stdout/stderr in files there. The isolators named in the spec are found in the
 * service registry and applied in order; a missing one fails the launch with its name.
 */
@Component(service = Containerizer.class, property = Containerizer.NAME_PROPERTY + "=native")
public final class NativeContainerizer implements Containerizer {

    private final Map<String, Isolator> isolators = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pangaea-native-containerizer");
        t.setDaemon(true);
        return t;
    });
    private final Function<String, Isolator> lookup;
    /** Containers whose cleanup failed somewhere (containerizer/mesos/container_destroy_errors). */
    private final LongAdder destroyErrors = new LongAdder();

    public NativeContainerizer() {
        this.lookup = isolators::get;
    }

    /** For tests: isolators from a fixed map. */
    public NativeContainerizer(Map<String, Isolator> fixed) {
        this.lookup = fixed::get;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindIsolator(Isolator isolator, Map<String, Object> props) {
        Object name = props.get(Isolator.NAME_PROPERTY);
        if (name != null) {
            isolators.put(name.toString(), isolator);
        }
    }

    void unbindIsolator(Isolator isolator, Map<String, Object> props) {
        Object name = props.get(Isolator.NAME_PROPERTY);
        if (name != null) {
            isolators.remove(name.toString(), isolator);
        }
    }

    @Deactivate
    void deactivate() {
        timers.shutdownNow();
    }

    @Override
    public Container launch(ContainerSpec spec) throws ContainerException {
        List<Isolator> chain = new ArrayList<>();
        for (String name : spec.isolation()) {
            Isolator i = lookup.apply(name);
            if (i == null) {
                throw new ContainerException("Isolator '" + name + "' is not installed on this agent");
            }
            chain.add(i);
        }
        List<String> argv = new ArrayList<>();
        argv.add("setsid");
        try {
            for (Isolator i : chain) {
                argv.addAll(i.prepare(spec));
            }
        } catch (ContainerException | RuntimeException e) {
            NativeContainer.cleanup(spec.containerId(), chain, spec.isolation(), destroyErrors::increment);
            throw e instanceof ContainerException ce ? ce : new ContainerException(e.getMessage(), e);
        }
        argv.addAll(command(spec.command()));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(spec.sandbox().toFile())
                .redirectOutput(new File(spec.sandbox().toFile(), "stdout"))
                .redirectError(new File(spec.sandbox().toFile(), "stderr"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(spec.environment());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            NativeContainer.cleanup(spec.containerId(), chain, spec.isolation(), destroyErrors::increment);
            throw new ContainerException("Cannot start '" + spec.command().value() + "': " + e.getMessage(), e);
        }
        NativeContainer c = new NativeContainer(spec.containerId(), process, chain, spec.isolation(), timers,
                destroyErrors::increment);
        try {
            for (Isolator i : chain) {
                i.isolate(spec.containerId(), process.pid());
            }
        } catch (ContainerException | RuntimeException e) {
            c.kill(java.time.Duration.ZERO);
            throw e instanceof ContainerException ce ? ce : new ContainerException(e.getMessage(), e);
        }
        c.watch();
        return c;
    }

    @Override
    public long destroyErrors() {
        return destroyErrors.sum();
    }

    static List<String> command(CommandInfo cmd) throws ContainerException {
        if (cmd == null || cmd.value() == null) {
            throw new ContainerException("The task has no command to run");
        }
        if (cmd.isShell()) {
            return List.of("/bin/sh", "-c", cmd.value());
        }
        List<String> argv = new ArrayList<>();
        argv.add(cmd.value());
        List<String> args = cmd.arguments() == null ? List.of() : cmd.arguments();
        // arguments[0] is argv[0] by Mesos convention; the executable is 'value'
        argv.addAll(args.size() > 1 ? args.subList(1, args.size()) : List.of());
        return argv;
    }
}
