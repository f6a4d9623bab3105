package io.pangaea.agent.spi;

/**
 * Thrown by {@link Containerizer#recover} when a container left nothing to find it by: the agent stopped while it
 * was launching it, before the containerizer recorded it. Whatever it had started is an orphan, destroyed by
 * {@link Containerizer#destroyOrphans}; its task never ran as far as anyone can tell. Not a recovery error.
 */
public class ContainerNotFoundException extends ContainerException {
    public ContainerNotFoundException(String message) {
        super(message);
    }
}
