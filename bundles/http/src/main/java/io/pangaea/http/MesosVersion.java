package io.pangaea.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The Apache Mesos release whose APIs the master and the agent speak, as their {@code /version} reports it. */
public final class MesosVersion {

    public static final String VERSION = "1.11.0";

    private MesosVersion() {
    }

    /** The {@code /version} body (also the v1 {@code version_info}): Mesos's keys, with no build of Mesos to name. */
    public static ObjectNode json() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("build_date", "");
        n.put("build_time", 0.0);
        n.put("build_user", "");
        n.put("git_branch", "");
        n.put("version", VERSION);
        return n;
    }
}
