package io.pangaea.isolator.namespaces;

import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Isolator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * {@code namespaces/pid}: the task runs in its own PID and mount namespaces with its own {@code /proc}, so it sees only
 * its own processes. Its PID 1 is a shell that runs the task and reaps the orphans it inherits while it waits for
 * the task; it exits with the task's status, and then the kernel ends everything else in the namespace.
 */
@Component(service = Isolator.class, property = Isolator.NAME_PROPERTY + "=namespaces/pid")
public final class NamespacesPidIsolator implements Isolator {

    /**
     * PID 1: start the task and wait for it (the shell's wait reaps every child it has, adopted orphans included),
     * then exit with its status; the kernel then ends whatever is left in the namespace.
     */
    static final String INIT = "\"$@\" & task=$!; wait $task; exit $?";

    private final String unshare;

    public NamespacesPidIsolator() {
        this(unshare());
    }

    /** util-linux's unshare: where Debian puts it, else whichever the PATH finds. */
    static String unshare() {
        return Files.isExecutable(Path.of("/usr/bin/unshare")) ? "/usr/bin/unshare" : "unshare";
    }

    NamespacesPidIsolator(String unshare) {
        this.unshare = unshare;
    }

    @Override
    public List<String> prepare(ContainerSpec spec) throws ContainerException {
        return List.of(unshare, "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/sh", "-c", INIT,
                "pangaea-init");
    }
}
