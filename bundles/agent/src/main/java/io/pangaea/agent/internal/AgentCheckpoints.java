package io.pangaea.agent.internal;

import io.pangaea.model.AgentId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent keeps on disk across its restarts, written atomically (write, then rename) under
 * {@code work_dir/meta}: today the agent id the master gave it. The recovery work (tasks, executors, unacknowledged
 * updates) adds its checkpoints here.
 * Must not touch: anything in memory; it reads and writes files.
 */
final class AgentCheckpoints extends AgentPart {

    private static final Logger LOG = LoggerFactory.getLogger(AgentCheckpoints.class);

    AgentCheckpoints(AgentContext ctx) {
        super(ctx);
    }

    Path agentIdFile() {
        return config().workDir().resolve("meta").resolve("agent_id");
    }

    AgentId readAgentId() {
        try {
            Path f = agentIdFile();
            if (Files.exists(f)) {
                String v = Files.readString(f).trim();
                return v.isEmpty() ? null : AgentId.of(v);
            }
        } catch (IOException e) {
            LOG.warn("Cannot read the agent id checkpoint; registering as a new agent", e);
        }
        return null;
    }

    void writeAgentId(AgentId id) {
        try {
            Path f = agentIdFile();
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling("agent_id.tmp");
            Files.writeString(tmp, id.value());
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("Cannot checkpoint the agent id", e);
        }
    }
}
