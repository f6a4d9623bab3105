package io.pangaea.model;

/** The states of an offer operation, as Mesos's {@code OperationState}. */
public enum OperationState {
    OPERATION_UNSUPPORTED, OPERATION_PENDING, OPERATION_RECOVERING, OPERATION_FINISHED, OPERATION_FAILED,
    OPERATION_ERROR, OPERATION_DROPPED, OPERATION_UNREACHABLE, OPERATION_GONE_BY_OPERATOR, OPERATION_UNKNOWN;

    public boolean isTerminal() {
        return this == OPERATION_FINISHED || this == OPERATION_FAILED || this == OPERATION_ERROR
                || this == OPERATION_DROPPED || this == OPERATION_GONE_BY_OPERATOR;
    }
}
