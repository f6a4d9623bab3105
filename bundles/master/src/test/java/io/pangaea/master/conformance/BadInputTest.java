package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * A table of malformed scheduler and operator requests, sent to a master with an agent, a subscribed framework and
 * an outstanding offer: each is answered 4xx with a message, the master keeps serving, and its state (agents,
 * frameworks, tasks, offers) is exactly what it was. Placeholders {@code $FW}, {@code $STREAM}, {@code $AGENT} and
 * {@code $OFFER} stand for the live ids.
 */
@RunWith(Parameterized.class)
public class BadInputTest {

    /** One request: what it is, and what it sends. */
    record Case(String name, String method, String path, String contentType, String accept, String streamId,
                byte[] body) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String S = "/api/v1/scheduler";
    private static final String O = "/api/v1";
    private static final String JSON = "application/json";
    private static final String PB = "application/x-protobuf";
    private static Harness h;
    private static Harness.Scheduler scheduler;

    private final Case c;

    public BadInputTest(Case c) {
        this.c = c;
    }

    private static Case json(String name, String path, String body) {
        return new Case(name, "POST", path, JSON, null, "$STREAM", body.getBytes(StandardCharsets.UTF_8));
    }

    /** A scheduler call of {@code type} from the live framework, with {@code rest} (JSON members) added. */
    private static Case call(String name, String type, String rest) {
        return json(name, S, "{\"type\":\"" + type + "\",\"framework_id\":{\"value\":\"$FW\"}"
                + (rest.isEmpty() ? "" : "," + rest) + "}");
    }

    private static Case subscribe(String name, String frameworkInfo) {
        return json(name, S, "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":" + frameworkInfo + "}}");
    }

    private static Case operator(String name, String body) {
        return json(name, O, body);
    }

    @Parameterized.Parameters(name = "{0}")
    public static Collection<Case> cases() {
        List<Case> t = new ArrayList<>();
        String okSubscribe = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\"}}}";
        // methods and media types
        for (String path : List.of(S, O)) {
            for (String m : List.of("GET", "PUT", "DELETE", "PATCH")) {
                t.add(new Case(m + " " + path, m, path, JSON, null, null, okSubscribe.getBytes()));
            }
            for (String ct : List.of("", "text/plain", "application/xml", "application/jsonx", "multipart/form-data",
                    "application/octet-stream")) {
                t.add(new Case("content type '" + ct + "' on " + path, "POST", path, ct, null, null,
                        okSubscribe.getBytes()));
            }
        }
        for (String accept : List.of("text/html", "application/xml", "image/png")) {
            t.add(new Case("SUBSCRIBE accepting only " + accept, "POST", S, JSON, accept, null,
                    okSubscribe.getBytes()));
        }
        t.add(new Case("GET_HEALTH accepting only text/html", "POST", O, JSON, "text/html", null,
                "{\"type\":\"GET_HEALTH\"}".getBytes()));
        // bodies that are not JSON objects
        for (String path : List.of(S, O)) {
            for (String body : List.of("", "not json", "{", "{\"type\":", "[", "]", "null", "123", "true", "\"x\"",
                    "[]", "[1,2]", "{\"type\":\"SUBSCRIBE\"", "\u0000", "{\"type\":\"SUBSCRIBE\",}",
                    "{'type':'SUBSCRIBE'}", "{\"type\" \"SUBSCRIBE\"}", "{\"type\":SUBSCRIBE}")) {
                t.add(json("body '" + body.replace("\u0000", "\\0") + "' on " + path, path, body));
            }
        }
        // protobuf bodies that are not messages, or cut short
        List<byte[]> garbage = new ArrayList<>(List.of(new byte[] {(byte) 0xff}, new byte[] {0x0a, 0x7f},
                new byte[] {0x12, 0x05, 0x01}, new byte[] {0x10}, new byte[] {0x1a, (byte) 0x80},
                new byte[] {0x10, 0x01, 0x1a, 0x10, 0x0a}));
        Random random = new Random(42);
        for (int i = 0; i < 8; i++) {
            byte[] b = new byte[20 + random.nextInt(200)];
            random.nextBytes(b);
            b[0] = (byte) 0xff; // never a valid first tag
            garbage.add(b);
        }
        for (String path : List.of(S, O)) {
            for (int i = 0; i < garbage.size(); i++) {
                t.add(new Case("protobuf garbage #" + i + " on " + path, "POST", path, PB, null, "$STREAM",
                        garbage.get(i)));
            }
        }
        // huge bodies
        byte[] huge = new byte[17 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        t.add(new Case("17 MB body on scheduler", "POST", S, JSON, null, null, huge));
        t.add(new Case("17 MB body on operator", "POST", O, JSON, null, null, huge));
        // the call type
        for (String type : List.of("", "\"\"", "\"FOO\"", "5", "[]", "{}", "null", "true", "\"subscribe\"")) {
            String body = type.isEmpty() ? "{}" : "{\"type\":" + type + "}";
            t.add(json("scheduler type " + (type.isEmpty() ? "missing" : type), S, body));
            t.add(operator("operator type " + (type.isEmpty() ? "missing" : type), body));
        }
        // SUBSCRIBE
        t.add(json("SUBSCRIBE without subscribe", S, "{\"type\":\"SUBSCRIBE\"}"));
        t.add(json("SUBSCRIBE with subscribe null", S, "{\"type\":\"SUBSCRIBE\",\"subscribe\":null}"));
        t.add(json("SUBSCRIBE with subscribe 5", S, "{\"type\":\"SUBSCRIBE\",\"subscribe\":5}"));
        t.add(json("SUBSCRIBE with subscribe {}", S, "{\"type\":\"SUBSCRIBE\",\"subscribe\":{}}"));
        t.add(subscribe("framework_info a string", "\"x\""));
        t.add(subscribe("framework_info an array", "[]"));
        t.add(subscribe("framework_info without user", "{\"name\":\"n\"}"));
        t.add(subscribe("framework_info without name", "{\"user\":\"u\"}"));
        t.add(subscribe("framework_info user null", "{\"user\":null,\"name\":\"n\"}"));
        t.add(subscribe("roles a string", "{\"user\":\"u\",\"name\":\"n\",\"roles\":\"web\"}"));
        t.add(subscribe("roles an object", "{\"user\":\"u\",\"name\":\"n\",\"roles\":{}}"));
        for (String role : List.of("a b", "-x", "..", ".", "a/../b", "/a", "a/", "a//b", "x\\ty", "a\u0001")) {
            t.add(subscribe("role '" + role.replace("\t", "\\t").replace("\u0001", "\\1") + "'",
                    "{\"user\":\"u\",\"name\":\"n\",\"roles\":[" + Harness.JSON.valueToTree(role) + "],"
                            + "\"capabilities\":[{\"type\":\"MULTI_ROLE\"}]}"));
        }
        t.add(subscribe("role and roles with MULTI_ROLE",
                "{\"user\":\"u\",\"name\":\"n\",\"role\":\"a\",\"roles\":[\"a\"],\"capabilities\":[{\"type\":\"MULTI_ROLE\"}]}"));
        t.add(subscribe("roles without MULTI_ROLE", "{\"user\":\"u\",\"name\":\"n\",\"roles\":[\"a\",\"b\"]}"));
        t.add(subscribe("duplicate roles",
                "{\"user\":\"u\",\"name\":\"n\",\"roles\":[\"a\",\"a\"],\"capabilities\":[{\"type\":\"MULTI_ROLE\"}]}"));
        t.add(subscribe("failover_timeout 'abc'", "{\"user\":\"u\",\"name\":\"n\",\"failover_timeout\":\"abc\"}"));
        t.add(subscribe("failover_timeout {}", "{\"user\":\"u\",\"name\":\"n\",\"failover_timeout\":{}}"));
        t.add(subscribe("failover_timeout -1", "{\"user\":\"u\",\"name\":\"n\",\"failover_timeout\":-1}"));
        t.add(subscribe("capabilities a string", "{\"user\":\"u\",\"name\":\"n\",\"capabilities\":\"x\"}"));
        t.add(subscribe("capability type unknown",
                "{\"user\":\"u\",\"name\":\"n\",\"capabilities\":[{\"type\":\"NOPE\"}]}"));
        t.add(subscribe("framework id a string", "{\"user\":\"u\",\"name\":\"n\",\"id\":\"x\"}"));
        t.add(subscribe("framework id without value", "{\"user\":\"u\",\"name\":\"n\",\"id\":{}}"));
        t.add(subscribe("checkpoint 'maybe'", "{\"user\":\"u\",\"name\":\"n\",\"checkpoint\":\"maybe\"}"));
        t.add(json("SUBSCRIBE with a framework_id that differs from framework_info.id", S,
                "{\"type\":\"SUBSCRIBE\",\"framework_id\":{\"value\":\"a\"},\"subscribe\":{\"framework_info\":"
                        + "{\"user\":\"u\",\"name\":\"n\",\"id\":{\"value\":\"b\"}}}}"));
        t.add(json("SUBSCRIBE suppressed_roles a string", S, "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":"
                + "{\"user\":\"u\",\"name\":\"n\"},\"suppressed_roles\":\"x\"}}"));
        t.add(json("SUBSCRIBE suppressing a role it does not have", S, "{\"type\":\"SUBSCRIBE\",\"subscribe\":"
                + "{\"framework_info\":{\"user\":\"u\",\"name\":\"n\",\"roles\":[\"a\"],\"capabilities\":"
                + "[{\"type\":\"MULTI_ROLE\"}]},\"suppressed_roles\":[\"b\"]}}"));
        // calls without the message their type needs, or with one of the wrong JSON type
        for (String[] m : new String[][] {{"ACCEPT", "accept"}, {"DECLINE", "decline"}, {"KILL", "kill"},
                {"SHUTDOWN", "shutdown"}, {"ACKNOWLEDGE", "acknowledge"}, {"MESSAGE", "message"},
                {"REQUEST", "request"}, {"ACCEPT_INVERSE_OFFERS", "accept_inverse_offers"},
                {"DECLINE_INVERSE_OFFERS", "decline_inverse_offers"}, {"RECONCILE", "reconcile"},
                {"ACKNOWLEDGE_OPERATION_STATUS", "acknowledge_operation_status"},
                {"RECONCILE_OPERATIONS", "reconcile_operations"}, {"UPDATE_FRAMEWORK", "update_framework"}}) {
            t.add(call(m[0] + " without " + m[1], m[0], ""));
            for (String wrong : List.of("\"x\"", "5", "[]")) {
                t.add(call(m[0] + " with " + m[1] + " " + wrong, m[0], "\"" + m[1] + "\":" + wrong));
            }
        }
        // ACCEPT
        t.add(call("ACCEPT without offer_ids", "ACCEPT", "\"accept\":{\"operations\":[]}"));
        t.add(call("ACCEPT offer_ids a string", "ACCEPT", "\"accept\":{\"offer_ids\":\"x\"}"));
        t.add(call("ACCEPT offer id without value", "ACCEPT", "\"accept\":{\"offer_ids\":[{}]}"));
        t.add(call("ACCEPT operations a string", "ACCEPT",
                "\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER\"}],\"operations\":\"x\"}"));
        t.add(call("ACCEPT operation type unknown", "ACCEPT",
                "\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER\"}],\"operations\":[{\"type\":\"NOPE\"}]}"));
        t.add(call("ACCEPT operation without type", "ACCEPT",
                "\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER\"}],\"operations\":[{}]}"));
        t.add(call("ACCEPT filters a string", "ACCEPT",
                "\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER\"}],\"filters\":\"x\"}"));
        t.add(call("ACCEPT refuse_seconds 'abc'", "ACCEPT",
                "\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER\"}],\"filters\":{\"refuse_seconds\":\"abc\"}}"));
        String launch = "\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER\"}],\"operations\":[{\"type\":\"LAUNCH\",";
        t.add(call("LAUNCH without launch", "ACCEPT", launch.substring(0, launch.length() - 1) + "}]}"));
        t.add(call("LAUNCH task_infos a string", "ACCEPT", launch + "\"launch\":{\"task_infos\":\"x\"}}]}"));
        for (String[] task : new String[][] {
                {"without task_id", "{\"name\":\"t\",\"agent_id\":{\"value\":\"$AGENT\"}}"},
                {"task_id a string", "{\"name\":\"t\",\"task_id\":\"x\",\"agent_id\":{\"value\":\"$AGENT\"}}"},
                {"task_id without value", "{\"name\":\"t\",\"task_id\":{},\"agent_id\":{\"value\":\"$AGENT\"}}"},
                {"without name", "{\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":\"$AGENT\"}}"},
                {"without agent_id", "{\"name\":\"t\",\"task_id\":{\"value\":\"t\"}}"},
                {"resources a string", "{\"name\":\"t\",\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":"
                        + "\"$AGENT\"},\"resources\":\"x\"}"},
                {"resource without name", "{\"name\":\"t\",\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":"
                        + "\"$AGENT\"},\"resources\":[{\"type\":\"SCALAR\",\"scalar\":{\"value\":1}}]}"},
                {"scalar 'abc'", "{\"name\":\"t\",\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":"
                        + "\"$AGENT\"},\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":"
                        + "{\"value\":\"abc\"}}]}"},
                {"resource type unknown", "{\"name\":\"t\",\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":"
                        + "\"$AGENT\"},\"resources\":[{\"name\":\"cpus\",\"type\":\"NOPE\"}]}"},
                {"command a string", "{\"name\":\"t\",\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":"
                        + "\"$AGENT\"},\"command\":\"echo\"}"},
                {"container type unknown", "{\"name\":\"t\",\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":"
                        + "\"$AGENT\"},\"container\":{\"type\":\"NOPE\"}}"}}) {
            t.add(call("LAUNCH task " + task[0], "ACCEPT", launch + "\"launch\":{\"task_infos\":[" + task[1]
                    + "]}}]}"));
        }
        // LAUNCH_GROUP, CREATE, DESTROY, executors, operation feedback
        String ops = "\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER\"}],\"operations\":[";
        for (String[] op : new String[][] {
                {"LAUNCH_GROUP without launch_group", "{\"type\":\"LAUNCH_GROUP\"}"},
                {"LAUNCH_GROUP without task_group", "{\"type\":\"LAUNCH_GROUP\",\"launch_group\":{\"executor\":"
                        + "{\"executor_id\":{\"value\":\"e\"},\"type\":\"DEFAULT\"}}}"},
                {"LAUNCH_GROUP task_group a string", "{\"type\":\"LAUNCH_GROUP\",\"launch_group\":"
                        + "{\"task_group\":\"x\"}}"},
                {"LAUNCH_GROUP executor type unknown", "{\"type\":\"LAUNCH_GROUP\",\"launch_group\":{\"executor\":"
                        + "{\"executor_id\":{\"value\":\"e\"},\"type\":\"NOPE\"},\"task_group\":{\"tasks\":[]}}}"},
                {"LAUNCH_GROUP executor without executor_id", "{\"type\":\"LAUNCH_GROUP\",\"launch_group\":"
                        + "{\"executor\":{\"type\":\"DEFAULT\"},\"task_group\":{\"tasks\":[]}}}"},
                {"CREATE without create", "{\"type\":\"CREATE\"}"},
                {"CREATE without volumes", "{\"type\":\"CREATE\",\"create\":{}}"},
                {"CREATE volumes a string", "{\"type\":\"CREATE\",\"create\":{\"volumes\":\"x\"}}"},
                {"CREATE volume disk a string", "{\"type\":\"CREATE\",\"create\":{\"volumes\":[{\"name\":"
                        + "\"disk\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1},\"disk\":\"x\"}]}}"},
                {"CREATE volume mode unknown", "{\"type\":\"CREATE\",\"create\":{\"volumes\":[{\"name\":"
                        + "\"disk\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1},\"disk\":{\"volume\":"
                        + "{\"container_path\":\"d\",\"mode\":\"NOPE\"}}}]}}"},
                {"DESTROY without destroy", "{\"type\":\"DESTROY\"}"},
                {"DESTROY volumes a string", "{\"type\":\"DESTROY\",\"destroy\":{\"volumes\":\"x\"}}"},
                {"operation id a string", "{\"type\":\"RESERVE\",\"id\":\"x\",\"reserve\":{\"resources\":[]}}"},
                {"LAUNCH executor a string", "{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"t\","
                        + "\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":\"$AGENT\"},\"executor\":\"x\"}]}}"},
                {"LAUNCH executor without executor_id", "{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{"
                        + "\"name\":\"t\",\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":\"$AGENT\"},"
                        + "\"executor\":{\"command\":{\"value\":\"x\"}}}]}}"},
                {"LAUNCH command uris a string", "{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":"
                        + "\"t\",\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":\"$AGENT\"},"
                        + "\"command\":{\"value\":\"x\",\"uris\":\"x\"}}]}}"},
                {"LAUNCH uri without value", "{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":"
                        + "\"t\",\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":\"$AGENT\"},"
                        + "\"command\":{\"value\":\"x\",\"uris\":[{\"extract\":true}]}}]}}"}}) {
            t.add(call(op[0], "ACCEPT", ops + op[1] + "]}"));
        }
        t.add(call("ACKNOWLEDGE_OPERATION_STATUS without uuid", "ACKNOWLEDGE_OPERATION_STATUS",
                "\"acknowledge_operation_status\":{\"operation_id\":{\"value\":\"o\"}}"));
        t.add(call("ACKNOWLEDGE_OPERATION_STATUS uuid not base64", "ACKNOWLEDGE_OPERATION_STATUS",
                "\"acknowledge_operation_status\":{\"operation_id\":{\"value\":\"o\"},\"uuid\":\"!!\"}"));
        t.add(call("ACKNOWLEDGE_OPERATION_STATUS without operation_id", "ACKNOWLEDGE_OPERATION_STATUS",
                "\"acknowledge_operation_status\":{\"uuid\":\"AAECAwQFBgcICQoLDA0ODw==\"}"));
        t.add(call("RECONCILE_OPERATIONS operations a string", "RECONCILE_OPERATIONS",
                "\"reconcile_operations\":{\"operations\":\"x\"}"));
        t.add(call("RECONCILE_OPERATIONS operation without operation_id", "RECONCILE_OPERATIONS",
                "\"reconcile_operations\":{\"operations\":[{}]}"));
        t.add(call("MESSAGE data not base64", "MESSAGE", "\"message\":{\"agent_id\":{\"value\":\"$AGENT\"},"
                + "\"executor_id\":{\"value\":\"e\"},\"data\":\"%%%\"}"));
        // DECLINE, KILL, ACKNOWLEDGE, RECONCILE, SHUTDOWN, MESSAGE, SUPPRESS, REVIVE
        t.add(call("DECLINE offer_ids a string", "DECLINE", "\"decline\":{\"offer_ids\":\"x\"}"));
        t.add(call("DECLINE refuse_seconds 'abc'", "DECLINE",
                "\"decline\":{\"offer_ids\":[{\"value\":\"$OFFER\"}],\"filters\":{\"refuse_seconds\":\"abc\"}}"));
        t.add(call("KILL without task_id", "KILL", "\"kill\":{}"));
        t.add(call("KILL task_id without value", "KILL", "\"kill\":{\"task_id\":{}}"));
        t.add(call("KILL kill_policy a string", "KILL", "\"kill\":{\"task_id\":{\"value\":\"t\"},\"kill_policy\":\"x\"}"));
        String ack = "\"acknowledge\":{\"agent_id\":{\"value\":\"$AGENT\"},\"task_id\":{\"value\":\"t\"}";
        t.add(call("ACKNOWLEDGE without uuid", "ACKNOWLEDGE", ack + "}"));
        t.add(call("ACKNOWLEDGE uuid not base64", "ACKNOWLEDGE", ack + ",\"uuid\":\"!!!\"}"));
        t.add(call("ACKNOWLEDGE uuid of 3 bytes", "ACKNOWLEDGE", ack + ",\"uuid\":\"AAAA\"}"));
        t.add(call("ACKNOWLEDGE uuid a number", "ACKNOWLEDGE", ack + ",\"uuid\":5}"));
        t.add(call("ACKNOWLEDGE without agent_id", "ACKNOWLEDGE",
                "\"acknowledge\":{\"task_id\":{\"value\":\"t\"},\"uuid\":\"AAECAwQFBgcICQoLDA0ODw==\"}"));
        t.add(call("ACKNOWLEDGE without task_id", "ACKNOWLEDGE",
                "\"acknowledge\":{\"agent_id\":{\"value\":\"$AGENT\"},\"uuid\":\"AAECAwQFBgcICQoLDA0ODw==\"}"));
        t.add(call("RECONCILE tasks a string", "RECONCILE", "\"reconcile\":{\"tasks\":\"x\"}"));
        t.add(call("RECONCILE task without task_id", "RECONCILE", "\"reconcile\":{\"tasks\":[{}]}"));
        t.add(call("SHUTDOWN without executor_id", "SHUTDOWN", "\"shutdown\":{\"agent_id\":{\"value\":\"$AGENT\"}}"));
        t.add(call("SHUTDOWN without agent_id", "SHUTDOWN", "\"shutdown\":{\"executor_id\":{\"value\":\"e\"}}"));
        t.add(call("MESSAGE without data", "MESSAGE",
                "\"message\":{\"agent_id\":{\"value\":\"$AGENT\"},\"executor_id\":{\"value\":\"e\"}}"));
        t.add(call("MESSAGE data not base64", "MESSAGE",
                "\"message\":{\"agent_id\":{\"value\":\"$AGENT\"},\"executor_id\":{\"value\":\"e\"},\"data\":\"!!\"}"));
        t.add(call("MESSAGE without executor_id", "MESSAGE",
                "\"message\":{\"agent_id\":{\"value\":\"$AGENT\"},\"data\":\"AA==\"}"));
        t.add(call("SUPPRESS roles a string", "SUPPRESS", "\"suppress\":{\"roles\":\"x\"}"));
        t.add(call("REVIVE roles a number", "REVIVE", "\"revive\":{\"roles\":5}"));
        t.add(call("UPDATE_FRAMEWORK without framework_info", "UPDATE_FRAMEWORK", "\"update_framework\":{}"));
        t.add(call("UPDATE_FRAMEWORK for another framework id", "UPDATE_FRAMEWORK",
                "\"update_framework\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\",\"id\":{\"value\":\"other\"}}}"));
        // who is calling
        t.add(new Case("no Mesos-Stream-Id", "POST", S, JSON, null, null,
                "{\"type\":\"REVIVE\",\"framework_id\":{\"value\":\"$FW\"}}".getBytes()));
        for (String sid : List.of("", "bogus", "00000000-0000-0000-0000-000000000000")) {
            t.add(new Case("Mesos-Stream-Id '" + sid + "'", "POST", S, JSON, null, sid,
                    "{\"type\":\"REVIVE\",\"framework_id\":{\"value\":\"$FW\"}}".getBytes()));
        }
        t.add(json("call without framework_id", S, "{\"type\":\"REVIVE\"}"));
        t.add(json("framework_id a string", S, "{\"type\":\"REVIVE\",\"framework_id\":\"$FW\"}"));
        t.add(json("framework_id without value", S, "{\"type\":\"REVIVE\",\"framework_id\":{}}"));
        t.add(json("unknown framework_id", S, "{\"type\":\"REVIVE\",\"framework_id\":{\"value\":\"nobody\"}}"));
        t.add(json("TEARDOWN of an unknown framework", S, "{\"type\":\"TEARDOWN\",\"framework_id\":{\"value\":\"x\"}}"));
        // operator calls
        for (String[] m : new String[][] {{"UPDATE_WEIGHTS", "update_weights"}, {"UPDATE_QUOTA", "update_quota"},
                {"RESERVE_RESOURCES", "reserve_resources"}, {"UNRESERVE_RESOURCES", "unreserve_resources"},
                {"MARK_AGENT_GONE", "mark_agent_gone"}, {"EXPLAIN_ALLOCATION", "explain"},
                {"TEARDOWN", "teardown"}, {"DEACTIVATE_AGENT", "deactivate_agent"},
                {"REACTIVATE_AGENT", "reactivate_agent"}, {"DRAIN_AGENT", "drain_agent"}}) {
            t.add(operator(m[0] + " without " + m[1], "{\"type\":\"" + m[0] + "\"}"));
            for (String wrong : List.of("\"x\"", "5", "[]")) {
                t.add(operator(m[0] + " with " + m[1] + " " + wrong, "{\"type\":\"" + m[0] + "\",\"" + m[1] + "\":"
                        + wrong + "}"));
            }
        }
        for (String[] w : new String[][] {{"weight_infos a string", "\"x\""}, {"weight -1", "[{\"role\":\"a\","
                + "\"weight\":-1}]"}, {"weight 0", "[{\"role\":\"a\",\"weight\":0}]"}, {"weight 'abc'",
                "[{\"role\":\"a\",\"weight\":\"abc\"}]"}, {"weight without role", "[{\"weight\":2}]"},
                {"weight for role ''", "[{\"role\":\"\",\"weight\":2}]"}, {"weight for role 'a b'",
                "[{\"role\":\"a b\",\"weight\":2}]"}, {"weight without weight", "[{\"role\":\"a\"}]"}}) {
            t.add(operator("UPDATE_WEIGHTS " + w[0], "{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":"
                    + "{\"weight_infos\":" + w[1] + "}}"));
        }
        for (String[] q : new String[][] {{"quota_configs a string", "\"x\""}, {"config without role",
                "[{\"guarantees\":{\"cpus\":{\"value\":1}}}]"}, {"role 'a b'", "[{\"role\":\"a b\"}]"},
                {"guarantee above limit", "[{\"role\":\"a\",\"guarantees\":{\"cpus\":{\"value\":4}},"
                        + "\"limits\":{\"cpus\":{\"value\":2}}}]"},
                {"negative guarantee", "[{\"role\":\"a\",\"guarantees\":{\"cpus\":{\"value\":-1}}}]"},
                {"guarantee 'abc'", "[{\"role\":\"a\",\"guarantees\":{\"cpus\":{\"value\":\"abc\"}}}]"},
                {"limits a string", "[{\"role\":\"a\",\"limits\":\"x\"}]"},
                {"quota on '*'", "[{\"role\":\"*\",\"guarantees\":{\"cpus\":{\"value\":1}}}]"}}) {
            t.add(operator("UPDATE_QUOTA " + q[0], "{\"type\":\"UPDATE_QUOTA\",\"update_quota\":"
                    + "{\"quota_configs\":" + q[1] + "}}"));
        }
        String res = "[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1},\"reservations\":"
                + "[{\"type\":\"DYNAMIC\",\"role\":\"r\"}]}]";
        t.add(operator("RESERVE_RESOURCES without agent_id", "{\"type\":\"RESERVE_RESOURCES\","
                + "\"reserve_resources\":{\"resources\":" + res + "}}"));
        t.add(operator("RESERVE_RESOURCES without resources", "{\"type\":\"RESERVE_RESOURCES\","
                + "\"reserve_resources\":{\"agent_id\":{\"value\":\"$AGENT\"}}}"));
        t.add(operator("RESERVE_RESOURCES on an unknown agent", "{\"type\":\"RESERVE_RESOURCES\","
                + "\"reserve_resources\":{\"agent_id\":{\"value\":\"nowhere\"},\"resources\":" + res + "}}"));
        t.add(operator("RESERVE_RESOURCES more than the agent has", "{\"type\":\"RESERVE_RESOURCES\","
                + "\"reserve_resources\":{\"agent_id\":{\"value\":\"$AGENT\"},\"resources\":"
                + res.replace("\"value\":1}", "\"value\":100}") + "}}"));
        t.add(operator("RESERVE_RESOURCES STATIC reservation", "{\"type\":\"RESERVE_RESOURCES\","
                + "\"reserve_resources\":{\"agent_id\":{\"value\":\"$AGENT\"},\"resources\":"
                + res.replace("DYNAMIC", "STATIC") + "}}"));
        t.add(operator("RESERVE_RESOURCES without reservations", "{\"type\":\"RESERVE_RESOURCES\","
                + "\"reserve_resources\":{\"agent_id\":{\"value\":\"$AGENT\"},\"resources\":[{\"name\":\"cpus\","
                + "\"type\":\"SCALAR\",\"scalar\":{\"value\":1}}]}}"));
        t.add(operator("UNRESERVE_RESOURCES of what is not reserved", "{\"type\":\"UNRESERVE_RESOURCES\","
                + "\"unreserve_resources\":{\"agent_id\":{\"value\":\"$AGENT\"},\"resources\":" + res + "}}"));
        t.add(operator("MARK_AGENT_GONE without agent_id", "{\"type\":\"MARK_AGENT_GONE\",\"mark_agent_gone\":{}}"));
        t.add(operator("MARK_AGENT_GONE of an unknown agent", "{\"type\":\"MARK_AGENT_GONE\",\"mark_agent_gone\":"
                + "{\"agent_id\":{\"value\":\"nowhere\"}}}"));
        for (String[] a : new String[][] {{"DEACTIVATE_AGENT", "deactivate_agent"},
                {"REACTIVATE_AGENT", "reactivate_agent"}, {"DRAIN_AGENT", "drain_agent"}}) {
            t.add(operator(a[0] + " of an unknown agent", "{\"type\":\"" + a[0] + "\",\"" + a[1]
                    + "\":{\"agent_id\":{\"value\":\"nowhere\"}}}"));
            t.add(operator(a[0] + " without agent_id", "{\"type\":\"" + a[0] + "\",\"" + a[1] + "\":{}}"));
        }
        t.add(operator("DRAIN_AGENT with a negative grace period", "{\"type\":\"DRAIN_AGENT\",\"drain_agent\":"
                + "{\"agent_id\":{\"value\":\"$AGENT\"},\"max_grace_period\":{\"seconds\":-5}}}"));
        t.add(operator("DRAIN_AGENT grace period a string", "{\"type\":\"DRAIN_AGENT\",\"drain_agent\":"
                + "{\"agent_id\":{\"value\":\"$AGENT\"},\"max_grace_period\":\"soon\"}}"));
        t.add(operator("operator TEARDOWN of an unknown framework", "{\"type\":\"TEARDOWN\",\"teardown\":"
                + "{\"framework_id\":{\"value\":\"nobody\"}}}"));
        t.add(operator("operator TEARDOWN without framework_id", "{\"type\":\"TEARDOWN\",\"teardown\":{}}"));
        t.add(operator("EXPLAIN_ALLOCATION without subject", "{\"type\":\"EXPLAIN_ALLOCATION\",\"explain\":{}}"));
        return t;
    }

    @BeforeClass
    public static void cluster() throws Exception {
        h = new Harness();
        h.agent("cpus:2;mem:1024");
        scheduler = h.scheduler("bad-input");
        scheduler.awaitType("OFFERS");
        h.master.setAllocationPaused(true); // nothing moves but what the requests do
    }

    @AfterClass
    public static void stop() throws Exception {
        h.close();
    }

    /** The master's state without the times that move by themselves. */
    private static String stable(Harness h) throws Exception {
        JsonNode state = h.state();
        return Harness.JSON.writeValueAsString(state);
    }

    private byte[] substitute(byte[] body) throws Exception {
        if (body.length > 1_000_000) {
            return body;
        }
        JsonNode st = h.state();
        String fw = scheduler.frameworkId;
        String stream = scheduler.streamId;
        String agent = st.at("/slaves/0/id").asText();
        String offer = st.at("/frameworks/0/offers/0/id").asText();
        String text = new String(body, StandardCharsets.ISO_8859_1);
        if (!text.contains("$")) {
            return body;
        }
        return text.replace("$FW", fw).replace("$STREAM", stream).replace("$AGENT", agent).replace("$OFFER", offer)
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    public void isRefusedWithAMessageAndChangesNothing() throws Exception {
        String before = stable(h);
        String stream = scheduler.streamId;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.url(c.path()))).timeout(Duration.ofSeconds(30))
                .method(c.method(), HttpRequest.BodyPublishers.ofByteArray(substitute(c.body())));
        if (!c.contentType().isEmpty()) {
            b.header("Content-Type", c.contentType());
        }
        if (c.accept() != null) {
            b.header("Accept", c.accept());
        }
        if (c.streamId() != null) {
            String sid = c.streamId().replace("$STREAM", stream);
            if (!sid.isEmpty()) {
                b.header("Mesos-Stream-Id", sid);
            }
        }
        HttpResponse<java.io.InputStream> r = Harness.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        String body;
        try (java.io.InputStream in = r.body()) {
            // a request taken for a good SUBSCRIBE would stream for ever: read only what an error would hold
            body = r.statusCode() < 400 ? "(a " + r.statusCode() + " response)"
                    : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(c + ": status " + r.statusCode() + " " + body, r.statusCode() >= 400 && r.statusCode() < 500);
        assertFalse(c + ": no message", body.isBlank());
        assertFalse(c + ": a stack trace: " + body, body.contains("\tat ") || body.contains("Exception"));
        assertEquals(200, h.get("/health").statusCode());
        assertEquals(c + " changed the master's state", before, stable(h));
    }
}
