package io.pangaea.agent.spi;

/** A container could not be prepared or launched; the message is reported to the framework. */
public class ContainerException extends Exception {
    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }
}
