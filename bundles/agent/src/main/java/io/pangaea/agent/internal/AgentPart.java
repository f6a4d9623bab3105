package io.pangaea.agent.internal;

import io.pangaea.agent.spi.Containerizer;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.TaskId;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * What every part of the agent core starts from: the shared tables and services of {@link AgentContext}. A part owns
 * one job; its methods run on the state thread unless they say otherwise.
 */
abstract class AgentPart {

    final AgentContext ctx;
    final ScheduledExecutorService state;
    final ExecutorService workers;
    final HttpClient http;
    final Function<String, Containerizer> containerizers;
    final Map<TaskId, TaskRun> tasks;
    final Map<FrameworkId, FrameworkInfo> frameworks;
    final Map<ExecutorKey, ExecutorRun> executors;

    AgentPart(AgentContext ctx) {
        this.ctx = ctx;
        this.state = ctx.state;
        this.workers = ctx.workers;
        this.http = ctx.http;
        this.containerizers = ctx.containerizers;
        this.tasks = ctx.tasks;
        this.frameworks = ctx.frameworks;
        this.executors = ctx.executors;
    }

    AgentConfig config() {
        return ctx.config();
    }

    /** Adds one to the counter {@code slave/<name>} (state thread). */
    void count(String name) {
        ctx.counters.merge("slave/" + name, 1L, Long::sum);
    }
}
