/**
 * Pangaea's own master-agent protocol (ARCHITECTURE §2), under {@code /internal/v1/agent}. The agent always dials:
 * it SUBSCRIBEs and reads a RecordIO stream of {@link io.pangaea.model.agentproto.AgentEvent}s, and posts other
 * {@link io.pangaea.model.agentproto.AgentCall}s (status updates) as separate requests.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.model.agentproto;
