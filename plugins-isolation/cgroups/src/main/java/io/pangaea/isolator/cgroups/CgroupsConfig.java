package io.pangaea.isolator.cgroups;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Settings of the cgroups isolators ({@code etc/io.pangaea.isolator.cgroups.cfg}), with Mesos's agent flag names. */
@ObjectClassDefinition(name = "Pangaea cgroups isolators")
public @interface CgroupsConfig {

    String PID = "io.pangaea.isolator.cgroups";

    @AttributeDefinition(description = "Name of the cgroup under which containers' cgroups are made")
    String cgroups_root() default "pangaea";

    @AttributeDefinition(description = "Also cap CPU time with a CFS quota (cpus x period), not only shares")
    boolean cgroups_enable_cfs() default false;

    @AttributeDefinition(description = "Most processes and threads a container may have (cgroups/pids)")
    int cgroups_pids_max() default 1024;

    @AttributeDefinition(description = "How often an OOM kill in a container is looked for, in milliseconds")
    int cgroups_oom_poll_ms() default 200;
}
