package io.pangaea.isolator.cgroups;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Settings of the cgroups isolators ({@code etc/io.pangaea.isolator.cgroups.cfg}), with Mesos's agent flag names.
 * A double underscore in a method name stands for one underscore in the key (a single one would be a dot).
 */
@ObjectClassDefinition(name = "Pangaea cgroups isolators")
public @interface CgroupsConfig {

    String PID = "io.pangaea.isolator.cgroups";

    @AttributeDefinition(description = "Name of the cgroup under which containers' cgroups are made")
    String cgroups__root() default "pangaea";

    @AttributeDefinition(description = "Also cap CPU time with a CFS quota (cpus x period), not only shares")
    boolean cgroups__enable__cfs() default false;

    @AttributeDefinition(description = "Most processes and threads a container may have (cgroups/pids)")
    int cgroups__pids__max() default 1024;

    @AttributeDefinition(description = "How often an OOM kill in a container is looked for, in milliseconds")
    int cgroups__oom__poll__ms() default 200;
}
