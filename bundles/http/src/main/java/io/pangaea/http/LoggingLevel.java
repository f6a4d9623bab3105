package io.pangaea.http;

import java.time.Duration;

/**
 * The operator API's GET/SET_LOGGING_LEVEL. Mesos's level is glog's verbosity: 0 is the normal log, higher is more
 * detail. Pangaea maps it onto its loggers: 0 is INFO, 1 is DEBUG, 2 and more TRACE.
 */
public interface LoggingLevel {

    int get();

    /** Sets the level for {@code duration}, after which the level before is restored. */
    void set(int level, Duration duration) throws Exception;
}
