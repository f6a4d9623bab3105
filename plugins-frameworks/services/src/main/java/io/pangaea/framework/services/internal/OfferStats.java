package io.pangaea.framework.services.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.model.Offer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;

/** How the offers went for one app's waiting instances, for {@code /v2/queue}: counts, reasons, the last unused. */
final class OfferStats {

    long processed;
    long unused;
    String lastUnusedAt;
    String lastUsedAt;
    final EnumMap<OfferBudget.Reason, Long> reasons = new EnumMap<>(OfferBudget.Reason.class);
    final List<ObjectNode> lastUnused = new ArrayList<>();
    final String since = Instant.now().toString();

    /** One offer processed for the app: used for at least one instance, or not for {@code reason} (null: no try). */
    void record(ObjectMapper json, Offer offer, boolean used, OfferBudget.Reason reason) {
        processed++;
        if (used) {
            lastUsedAt = Instant.now().toString();
            return;
        }
        if (reason == null) {
            return;
        }
        unused++;
        lastUnusedAt = Instant.now().toString();
        reasons.merge(reason, 1L, Long::sum);
        ObjectNode u = json.createObjectNode();
        ObjectNode o = u.putObject("offer");
        o.put("id", offer.id().value());
        o.put("agentId", offer.agentId().value());
        o.put("hostname", offer.hostname());
        u.put("timestamp", Instant.now().toString());
        u.putArray("reason").add(reason.name());
        lastUnused.add(u);
        if (lastUnused.size() > 10) {
            lastUnused.remove(0);
        }
    }
}
