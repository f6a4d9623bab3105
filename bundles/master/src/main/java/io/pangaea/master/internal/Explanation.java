package io.pangaea.master.internal;

import java.util.List;
import java.util.Map;

/**
 * Why a framework (in one of its roles) has or has not been getting offers: the master's own diagnosis from its
 * bookkeeping, whatever the allocation policy. {@code agents} counts, over the agents that have something free now,
 * the first reason each one is not offered to this framework ({@code eligible} when nothing stands in the way, so
 * the policy's order decides: others with a lower share come first under DRF).
 */
public record Explanation(String frameworkId, String frameworkName, String role, double weight,
                          double roleShare, double frameworkShare, String quotaGuarantee, String quotaLimit,
                          int outstandingOffers, Long cyclesSinceLastOffer, Double secondsSinceLastOffer,
                          int agentsWithFreeResources, Map<String, Integer> agents, List<String> notes) {

    public static final String ELIGIBLE = "eligible";
    public static final String RESERVED_ELSEWHERE = "reserved for other roles";
    public static final String BELOW_MINIMUM = "below min_allocatable_resources";
    public static final String QUOTA_LIMIT = "role's quota limit reached";
    public static final String FILTERED = "declined by the framework (filter in force)";
}
