package io.pangaea.master.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.pangaea.allocator.Quota;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.operator.OperatorCall;
import io.pangaea.model.operator.QuotaConfig;
import io.pangaea.model.operator.WeightInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class WeightsAndQuotaTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static OperatorCall call(String json) throws Exception {
        return MesosJson.read(json.getBytes(), OperatorCall.class);
    }

    @Test
    public void weightsAndQuotasSurviveARestart() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("master/registry.json");
        Registry first = new Registry(file);
        first.updateWeights(List.of(new WeightInfo(2.5, "web"), new WeightInfo(1.0, "batch")));
        first.updateQuotas(call("{\"type\":\"UPDATE_QUOTA\",\"update_quota\":{\"quota_configs\":[{\"role\":\"web\","
                + "\"guarantees\":{\"cpus\":{\"value\":4}},\"limits\":{\"cpus\":{\"value\":8},\"mem\":{\"value\":"
                + "1024}}}]}}").updateQuota().quotaConfigs());
        assertTrue(Files.exists(file));

        Registry second = new Registry(file);
        assertEquals(Map.of("web", 2.5), second.weights()); // weight 1 is the default: not stored
        Quota q = second.quotas().get("web");
        assertEquals(4.0, q.guarantees().scalar("cpus"), 0);
        assertEquals(8.0, q.limits().scalar("cpus"), 0);
        assertEquals(1024.0, q.limits().scalar("mem"), 0);

        // an empty config removes the quota
        second.updateQuotas(List.of(new QuotaConfig("web", Map.of(), Map.of())));
        assertTrue(new Registry(file).quotas().isEmpty());
    }

    /** Each malformed call, the field its message must name; none may pass. */
    private static final String[][] BAD_WEIGHTS = {
        {"{\"type\":\"UPDATE_WEIGHTS\"}", "update_weights.weight_infos"},
        {"{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[]}}", "update_weights.weight_infos"},
        {"{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"weight\":2}]}}", ".role"},
        {"{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"role\":\"a\"}]}}", ".weight"},
        {"{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"role\":\"a\",\"weight\":0}]}}",
            ".weight"},
        {"{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"role\":\"a\",\"weight\":-1}]}}",
            ".weight"},
        {"{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"role\":\"a b\",\"weight\":1}]}}",
            "whitespace"},
        {"{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"role\":\"/a\",\"weight\":1}]}}",
            "'/'"},
        {"{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"role\":\"a//b\",\"weight\":1}]}}",
            "'//'"},
        {"{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"role\":\"a/..\",\"weight\":1}]}}",
            "'..'"},
        {"{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"role\":\"-a\",\"weight\":1}]}}",
            "'-'"},
        {"{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"role\":\"a\",\"weight\":1},"
            + "{\"role\":\"a\",\"weight\":2}]}}", "more than once"},
    };

    private static final String[][] BAD_QUOTAS = {
        {"{\"type\":\"UPDATE_QUOTA\"}", "update_quota.quota_configs"},
        {"{\"type\":\"UPDATE_QUOTA\",\"update_quota\":{\"quota_configs\":[]}}", "update_quota.quota_configs"},
        {"{\"type\":\"UPDATE_QUOTA\",\"update_quota\":{\"quota_configs\":[{\"guarantees\":{}}]}}", ".role"},
        {"{\"type\":\"UPDATE_QUOTA\",\"update_quota\":{\"quota_configs\":[{\"role\":\"*\"}]}}", "'*'"},
        {"{\"type\":\"UPDATE_QUOTA\",\"update_quota\":{\"quota_configs\":[{\"role\":\"a\",\"guarantees\":"
            + "{\"ports\":{\"value\":1}}}]}}", "'ports'"},
        {"{\"type\":\"UPDATE_QUOTA\",\"update_quota\":{\"quota_configs\":[{\"role\":\"a\",\"limits\":"
            + "{\"cpus\":{\"value\":-1}}}]}}", "limits.cpus.value"},
        {"{\"type\":\"UPDATE_QUOTA\",\"update_quota\":{\"quota_configs\":[{\"role\":\"a\",\"guarantees\":"
            + "{\"cpus\":{\"value\":3}},\"limits\":{\"cpus\":{\"value\":2}}}]}}", "above its limit"},
        {"{\"type\":\"UPDATE_QUOTA\",\"update_quota\":{\"quota_configs\":[{\"role\":\"a\"},{\"role\":\"a\"}]}}",
            "more than once"},
    };

    @Test
    public void malformedWeightAndQuotaCallsNameTheField() throws Exception {
        for (String[] c : BAD_WEIGHTS) {
            String msg = OperatorValidator.updateWeights(call(c[0]).updateWeights());
            assertNotNull("accepted: " + c[0], msg);
            assertTrue(c[0] + " -> " + msg, msg.contains(c[1]));
        }
        for (String[] c : BAD_QUOTAS) {
            String msg = OperatorValidator.updateQuota(call(c[0]).updateQuota());
            assertNotNull("accepted: " + c[0], msg);
            assertTrue(c[0] + " -> " + msg, msg.contains(c[1]));
        }
        assertNull(OperatorValidator.updateWeights(call("{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":"
                + "{\"weight_infos\":[{\"role\":\"eng/web\",\"weight\":3}]}}").updateWeights()));
        assertNull(OperatorValidator.updateQuota(call("{\"type\":\"UPDATE_QUOTA\",\"update_quota\":"
                + "{\"quota_configs\":[{\"role\":\"eng/web\",\"guarantees\":{\"cpus\":{\"value\":1}}}]}}")
                .updateQuota()));
    }
}
