package io.pangaea.agent.internal.osgi;

import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGUSR1 shuts the agent down, as it does Mesos's agent. The JDK's {@code sun.misc.Signal} is reached by reflection
 * (Karaf delegates {@code sun.*} to the boot class loader, so no package import is needed); where it is missing the
 * signal keeps its default meaning and {@code agent:shutdown} remains.
 */
final class ShutdownSignal {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignal.class);

    private ShutdownSignal() {
    }

    static void install(Runnable onSignal) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object usr1 = signal.getConstructor(String.class).newInstance("USR1");
            Object h = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, (proxy, m, args) -> {
                if (m.getName().equals("handle")) {
                    Thread t = new Thread(onSignal, "pangaea-agent-sigusr1");
                    t.start();
                    return null;
                }
                return switch (m.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "pangaea-agent-shutdown-signal";
                    default -> null;
                };
            });
            signal.getMethod("handle", signal, handler).invoke(null, usr1, h);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.info("SIGUSR1 cannot shut the agent down here ({}); use agent:shutdown", e.toString());
        }
    }
}
