package io.pangaea.master.internal;

import io.pangaea.model.AgentId;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Requests for an agent's files, made for a client of the master: each goes to the agent as a FILES event on its own
 * connection (the master never dials agents), and the agent's FILES call answers it. Event loop only.
 */
final class AgentFileRequests extends MasterPart {

    /** How long an agent has to answer. */
    static final long TIMEOUT_SECONDS = 15;

    /** Requests sent and not answered yet, by request id. */
    private final Map<String, CompletableFuture<AgentCall.FilesReply>> pending = new HashMap<>();

    AgentFileRequests(MasterContext ctx) {
        super(ctx);
    }

    /**
     * Sends the request; {@code reply} fails with {@link NoSuchElementException} when the agent is not connected,
     * and with a {@link TimeoutException} when it does not answer in time.
     */
    void send(AgentId agentId, String operation, String path, Long offset, Long length,
              CompletableFuture<AgentCall.FilesReply> reply) {
        MasterState.AgentEntry agent = state.agents.get(agentId);
        if (agent == null || !agent.connected()) {
            reply.completeExceptionally(new NoSuchElementException("Agent " + agentId.value()
                    + " is not connected to this master"));
            return;
        }
        String id = UUID.randomUUID().toString();
        pending.put(id, reply);
        ctx.agents.sendToAgent(agent, AgentEvent.files(new AgentEvent.Files(id, operation, path, offset, length)));
        loop.schedule(() -> {
            CompletableFuture<AgentCall.FilesReply> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(new TimeoutException("Agent " + agentId.value() + " did not answer within "
                        + TIMEOUT_SECONDS + " s"));
            }
        }, TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** The agent's answer to a request. */
    void answered(AgentCall.FilesReply reply) {
        CompletableFuture<AgentCall.FilesReply> f = pending.remove(reply.requestId());
        if (f != null) {
            f.complete(reply);
        }
    }

}
