package io.pangaea.model.json;

/** Malformed input; the message is fit to return to the client as the body of a 400. */
public class MesosJsonException extends Exception {
    public MesosJsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
