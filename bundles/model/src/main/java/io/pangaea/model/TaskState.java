package io.pangaea.model;

import java.util.EnumSet;
import java.util.Set;

public enum TaskState {
    TASK_STAGING, TASK_STARTING, TASK_RUNNING, TASK_KILLING, TASK_FINISHED, TASK_FAILED, TASK_KILLED, TASK_ERROR,
    TASK_LOST, TASK_DROPPED, TASK_UNREACHABLE, TASK_GONE, TASK_GONE_BY_OPERATOR, TASK_UNKNOWN;

    private static final Set<TaskState> TERMINAL = EnumSet.of(TASK_FINISHED, TASK_FAILED, TASK_KILLED, TASK_ERROR,
            TASK_LOST, TASK_DROPPED, TASK_GONE, TASK_GONE_BY_OPERATOR);

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }
}
