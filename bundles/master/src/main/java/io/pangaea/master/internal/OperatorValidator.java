package io.pangaea.master.internal;

import io.pangaea.model.Scalar;
import io.pangaea.model.operator.OperatorCall;
import io.pangaea.model.operator.QuotaConfig;
import io.pangaea.model.operator.WeightInfo;
import java.util.HashSet;

import java.util.Map;
import java.util.Set;

/** Checks operator calls before they touch anything; returns the message for a 400, or null when valid. */
public final class OperatorValidator {

    private OperatorValidator() {
    }

    /** Mesos's role name rules, path components included ({@code eng/web}). */
    public static String validateRole(String field, String role) {
        if (role == null || role.isEmpty()) {
            return "'" + field + "' must be set to a role name";
        }
        if (role.equals("*")) {
            return null;
        }
        if (role.startsWith("/") || role.endsWith("/") || role.contains("//")) {
            return "'" + field + "' '" + role + "': a role cannot start or end with '/' or contain '//'";
        }
        for (String part : role.split("/")) {
            if (part.equals(".") || part.equals("..") || part.equals("*")) {
                return "'" + field + "' '" + role + "': '" + part + "' cannot be a role name or part of one";
            }
            if (part.startsWith("-")) {
                return "'" + field + "' '" + role + "': a role name cannot start with '-'";
            }
            if (part.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                return "'" + field + "' '" + role + "': a role name cannot contain whitespace";
            }
        }
        return null;
    }

    public static String updateWeights(OperatorCall.UpdateWeights u) {
        if (u == null || u.weightInfos() == null || u.weightInfos().isEmpty()) {
            return "Expecting 'update_weights.weight_infos' with at least one entry";
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < u.weightInfos().size(); i++) {
            WeightInfo w = u.weightInfos().get(i);
            String at = "update_weights.weight_infos[" + i + "]";
            if (w == null) {
                return "'" + at + "' must be an object";
            }
            String bad = validateRole(at + ".role", w.role());
            if (bad != null) {
                return bad;
            }
            if (w.weight() == null || !(w.weight() > 0) || w.weight().isInfinite()) {
                return "'" + at + ".weight' must be a positive number";
            }
            if (!seen.add(w.role())) {
                return "'" + at + ".role' '" + w.role() + "' appears more than once";
            }
        }
        return null;
    }

    public static String updateQuota(OperatorCall.UpdateQuota u) {
        if (u == null || u.quotaConfigs() == null || u.quotaConfigs().isEmpty()) {
            return "Expecting 'update_quota.quota_configs' with at least one entry";
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < u.quotaConfigs().size(); i++) {
            QuotaConfig q = u.quotaConfigs().get(i);
            String at = "update_quota.quota_configs[" + i + "]";
            if (q == null) {
                return "'" + at + "' must be an object";
            }
            String bad = validateRole(at + ".role", q.role());
            if (bad != null) {
                return bad;
            }
            if (q.role().equals("*")) {
                return "'" + at + ".role': the default role '*' cannot have a quota";
            }
            if (!seen.add(q.role())) {
                return "'" + at + ".role' '" + q.role() + "' appears more than once";
            }
            bad = quantities(at + ".guarantees", q.guarantees());
            if (bad == null) {
                bad = quantities(at + ".limits", q.limits());
            }
            if (bad != null) {
                return bad;
            }
            if (q.guarantees() != null && q.limits() != null) {
                for (Map.Entry<String, Scalar> g : q.guarantees().entrySet()) {
                    Scalar l = q.limits().get(g.getKey());
                    if (l != null && g.getValue().value() > l.value()) {
                        return "'" + at + "': the guarantee of '" + g.getKey() + "' (" + g.getValue().value()
                                + ") is above its limit (" + l.value() + ")";
                    }
                }
            }
        }
        return null;
    }

    /** Mesos's deprecated SET_QUOTA: a role (not '*') and scalar quantities of the resources quota applies to. */
    public static String setQuota(OperatorCall.SetQuota s) {
        OperatorCall.QuotaRequest q = s == null ? null : s.quotaRequest();
        if (q == null) {
            return "Expecting 'set_quota.quota_request' to be present";
        }
        String bad = validateRole("set_quota.quota_request.role", q.role());
        if (bad != null) {
            return bad;
        }
        if (q.role().equals("*")) {
            return "'set_quota.quota_request.role': the default role '*' cannot have a quota";
        }
        if (q.guarantee() == null || q.guarantee().isEmpty()) {
            return "Expecting 'set_quota.quota_request.guarantee' with at least one resource";
        }
        java.util.Set<String> names = new HashSet<>();
        for (io.pangaea.model.Resource r : q.guarantee()) {
            if (r == null || r.name() == null || r.type() != io.pangaea.model.ValueType.SCALAR || r.scalar() == null) {
                return "'set_quota.quota_request.guarantee': each resource needs a 'name' and a SCALAR 'scalar'";
            }
            if (r.isReserved() || r.disk() != null) {
                return "'set_quota.quota_request.guarantee': '" + r.name() + "' must not be reserved or carry"
                        + " disk info";
            }
            if (!names.add(r.name())) {
                return "'set_quota.quota_request.guarantee': '" + r.name() + "' appears more than once";
            }
        }
        return quantities("set_quota.quota_request.guarantee", guarantee(q));
    }

    /** A SET_QUOTA request's guarantee as quantities by name. */
    public static Map<String, Scalar> guarantee(OperatorCall.QuotaRequest q) {
        Map<String, Scalar> out = new java.util.LinkedHashMap<>();
        q.guarantee().forEach(r -> out.put(r.name(), r.scalar()));
        return out;
    }

    private static String quantities(String field, Map<String, Scalar> q) {
        if (q == null) {
            return null;
        }
        for (Map.Entry<String, Scalar> e : q.entrySet()) {
            if (!Registry.QUOTA_RESOURCES.contains(e.getKey())) {
                return "'" + field + "': '" + e.getKey() + "' cannot have a quota (only "
                        + String.join(", ", Registry.QUOTA_RESOURCES) + ")";
            }
            if (e.getValue() == null || !(e.getValue().value() >= 0) || Double.isInfinite(e.getValue().value())) {
                return "'" + field + "." + e.getKey() + ".value' must be a non-negative number";
            }
        }
        return null;
    }

}
