package io.pangaea.agent.internal;

import io.pangaea.model.ExecutorId;
import io.pangaea.model.FrameworkId;

/** An executor's key on this agent: its framework and its id. */
record ExecutorKey(FrameworkId frameworkId, ExecutorId executorId) {}
