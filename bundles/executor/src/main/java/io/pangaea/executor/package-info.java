/**
 * Writing a custom executor: implement {@link io.pangaea.executor.Executor} and run an
 * {@link io.pangaea.executor.ExecutorDriver} made {@link io.pangaea.executor.ExecutorDriver#fromEnvironment from the
 * environment} the agent gives the executor's process. The driver speaks the Mesos v1 executor HTTP API (JSON), so
 * the executor works under any Mesos 1.11 compatible agent.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.executor;
