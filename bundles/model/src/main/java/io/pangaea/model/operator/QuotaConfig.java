package io.pangaea.model.operator;

import io.pangaea.model.Scalar;
import java.util.Map;

/** A role's quota (Mesos 1.9+ {@code QuotaConfig}): guaranteed and limited scalar quantities by resource name. */
public record QuotaConfig(String role, Map<String, Scalar> guarantees, Map<String, Scalar> limits) {}
