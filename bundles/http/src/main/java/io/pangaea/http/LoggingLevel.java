package io.pangaea.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The operator API's GET/SET_LOGGING_LEVEL. Mesos's level is glog's verbosity: 0 is the normal log, higher is more
 * detail. Pangaea maps it onto its loggers: 0 is INFO, 1 is DEBUG, 2 and more TRACE.
 */
public interface LoggingLevel {

    int get();

    /** Sets the level for {@code duration}, after which the level before is restored. */
    void set(int level, Duration duration) throws Exception;

    /**
     * Answers GET_LOGGING_LEVEL ({@code get}; the response goes to {@code reply}, which encodes it) or
     * SET_LOGGING_LEVEL with the call's {@code level} and {@code nanoseconds} (null when missing), as the master's
     * and the agent's operator APIs both do. {@code logging} is null outside Karaf ({@code daemon} names whose
     * distribution has it): 501.
     */
    static void serve(LoggingLevel logging, String daemon, boolean get, Long level, Long nanoseconds,
                      Response response, Callback callback, Consumer<ObjectNode> reply) {
        if (logging == null) {
            HttpSupport.text(response, callback, 501, "The logging level can be read and set only in the " + daemon
                    + "'s Karaf distribution");
            return;
        }
        if (get) {
            ObjectNode r = JsonNodeFactory.instance.objectNode().put("type", "GET_LOGGING_LEVEL");
            r.putObject("get_logging_level").put("level", logging.get());
            reply.accept(r);
            return;
        }
        if (level == null || nanoseconds == null) {
            HttpSupport.text(response, callback, 400, "Expecting 'set_logging_level.level' and"
                    + " 'set_logging_level.duration' to be present");
            return;
        }
        if (level < 0 || level > Integer.MAX_VALUE || nanoseconds <= 0) {
            HttpSupport.text(response, callback, 400, "Expecting a non-negative 'set_logging_level.level'"
                    + " and a positive 'set_logging_level.duration'");
            return;
        }
        try {
            logging.set(level.intValue(), Duration.ofNanos(nanoseconds));
            HttpSupport.text(response, callback, 200, "");
        } catch (Exception e) {
            HttpSupport.text(response, callback, 503, "Cannot set the logging level: " + e.getMessage());
        }
    }
}
