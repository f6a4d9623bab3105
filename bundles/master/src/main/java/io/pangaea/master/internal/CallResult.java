package io.pangaea.master.internal;

/** The HTTP answer to a call: a status and, for errors, a plain-text message. */
public record CallResult(int status, String message) {
    public static final CallResult ACCEPTED = new CallResult(202, "");
    public static final CallResult OK = new CallResult(200, "");

    public static CallResult badRequest(String message) {
        return new CallResult(400, message);
    }

    public static CallResult forbidden(String message) {
        return new CallResult(403, message);
    }
}
