package io.pangaea.master.internal;

/**
 * Whose sandbox an agent path names, for {@code access_sandboxes} on the files the master fetches from agents: the
 * path's {@code .../frameworks/F/executors/E/...} once {@code ..} is folded, and that executor's user, else its
 * framework's. The agent, for its part, refuses a path that leads out of the sandbox it names. Read on the loop.
 */
final class Sandboxes {

    private Sandboxes() {
    }

    private static final java.util.regex.Pattern SANDBOX = java.util.regex.Pattern.compile(
            "/frameworks/([^/]+)/executors/([^/]+)(/|$)");

    /**
     * The operating system user whose sandbox an agent path is in, with {@code ..} folded (its executor's user,
     * else its framework's), for {@code access_sandboxes}; empty when the path is not in a sandbox.
     */
    static java.util.Optional<String> user(MasterState state, String path) {
        String normalized;
        try {
            normalized = path == null ? "" : java.nio.file.Path.of(path).normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
            normalized = "";
        }
        java.util.regex.Matcher m = SANDBOX.matcher(normalized);
        if (!m.find()) {
            return java.util.Optional.empty();
        }
        io.pangaea.model.FrameworkId fid = io.pangaea.model.FrameworkId.of(m.group(1));
        String eid = m.group(2);
        for (MasterState.AgentEntry agent : state.agents.values()) {
            for (var e : agent.executors.values()) {
                if (e.info.frameworkId().equals(fid) && e.info.executorId().value().equals(eid)
                        && e.info.command() != null && e.info.command().user() != null) {
                    return java.util.Optional.of(e.info.command().user());
                }
            }
        }
        MasterState.FrameworkEntry fw = state.frameworks.get(fid);
        if (fw == null) {
            fw = state.completedFrameworks.stream().filter(f -> f.id.equals(fid)).findFirst().orElse(null);
        }
        return java.util.Optional.of(fw == null || fw.info.user() == null ? "" : fw.info.user());
    }
}
