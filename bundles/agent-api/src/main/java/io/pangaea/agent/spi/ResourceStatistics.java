package io.pangaea.agent.spi;

/** Usage of one container, with the Mesos {@code ResourceStatistics} field names; null when not measured. */
public record ResourceStatistics(double timestamp, Integer processes, Integer threads, Double cpusUserTimeSecs,
                                 Double cpusSystemTimeSecs, Double cpusLimit, Long memRssBytes, Long memLimitBytes) {
    public static ResourceStatistics empty(double timestamp) {
        return new ResourceStatistics(timestamp, null, null, null, null, null, null, null);
    }
}
