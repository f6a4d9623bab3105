/**
 * Pangaea's data model: the Mesos 1.11 v1 messages as immutable Java records, plus {@link io.pangaea.model.Resources}
 * arithmetic. Record components are the proto fields in camelCase; {@code io.pangaea.model.json} maps them to the wire.
 * A {@code null} component means "unset", as an absent optional proto field does.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.model;
