package io.pangaea.http;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Test;

/** Mesos's local authorizer rules: first match wins, ANY and NONE, permissive, and the errors of a bad file. */
public class AclsTest {

    @Test
    public void noAclsAllowsEverything() throws IOException {
        assertTrue(Acls.permissive().approves("run_tasks", "anyone", "root"));
        assertTrue(Acls.parse("").approves("teardown_frameworks", null, null));
        assertFalse(Acls.parse("").configured());
    }

    @Test
    public void theFirstMatchingRuleDecides() throws IOException {
        Acls acls = Acls.parse("""
                {"register_frameworks": [
                  {"principals": {"values": ["ops"]}, "roles": {"type": "ANY"}},
                  {"principals": {"values": ["web"]}, "roles": {"values": ["web", "eng/%"]}},
                  {"principals": {"type": "ANY"}, "roles": {"type": "NONE"}}
                ]}""");
        assertTrue(acls.approves("register_frameworks", "ops", "prod"));
        assertTrue(acls.approves("register_frameworks", "web", "web"));
        assertTrue(acls.approves("register_frameworks", "web", "eng/api"));
        assertFalse(acls.approves("register_frameworks", "web", "eng"));
        // 'web' asking for 'prod' does not match its own rule; the catch-all NONE rule refuses it
        assertFalse(acls.approves("register_frameworks", "web", "prod"));
        assertFalse(acls.approves("register_frameworks", "batch", "web"));
        assertFalse(acls.approves("register_frameworks", null, "web"));
        assertTrue(acls.approvesAll("register_frameworks", "web", List.of("web", "eng/x")));
        assertFalse(acls.approvesAll("register_frameworks", "web", List.of("web", "prod")));
        // no rule for this action: permissive decides
        assertTrue(acls.approves("run_tasks", "batch", "root"));
    }

    @Test
    public void notPermissiveRefusesWhatNoRuleMatches() throws IOException {
        Acls acls = Acls.parse("""
                {"permissive": false,
                 "run_tasks": [{"principals": {"values": ["a"]}, "users": {"values": ["nobody"]}}],
                 "view_flags": [{"principals": {"type": "ANY"}, "flags": {"type": "ANY"}}]}""");
        assertTrue(acls.approves("run_tasks", "a", "nobody"));
        assertFalse(acls.approves("run_tasks", "a", "root"));
        assertFalse(acls.approves("run_tasks", "b", "nobody"));
        assertFalse(acls.approves("teardown_frameworks", "a", "a"));
        assertTrue(acls.approves("view_flags", null, null));
        assertTrue(acls.approves("view_flags", "anyone", null));
    }

    @Test
    public void anUnauthenticatedRequestMatchesOnlyAnyAndNoneSubjects() throws IOException {
        Acls acls = Acls.parse("""
                {"permissive": false,
                 "get_endpoints": [{"principals": {"values": ["ops"]}, "paths": {"type": "ANY"}},
                                   {"principals": {"type": "NONE"}, "paths": {"values": ["/metrics/snapshot"]}}]}""");
        assertTrue(acls.approves("get_endpoints", "ops", "/metrics/snapshot"));
        // an ANY subject matches the NONE rule, which does not allow it
        assertFalse(acls.approves("get_endpoints", null, "/metrics/snapshot"));
    }

    @Test
    public void aFileWorksAsTheJsonItself() throws IOException {
        Path f = Files.createTempFile("acls", ".json");
        try {
            Files.writeString(f, "{\"teardown_frameworks\": [{\"principals\": {\"values\": [\"ops\"]},"
                    + " \"framework_principals\": {\"type\": \"ANY\"}},"
                    + " {\"principals\": {\"type\": \"ANY\"}, \"framework_principals\": {\"type\": \"NONE\"}}]}");
            Acls acls = Acls.parse("file://" + f);
            assertTrue(acls.approves("teardown_frameworks", "ops", "web"));
            assertFalse(acls.approves("teardown_frameworks", "web", "batch"));
        } finally {
            Files.delete(f);
        }
    }

    @Test
    public void badAclsNameWhatIsWrong() {
        assertMessage("{\"run_task\": []}", "acls.run_task: unknown action");
        assertMessage("{\"run_tasks\": {}}", "acls.run_tasks: expecting an array");
        assertMessage("{\"run_tasks\": [{\"principals\": {\"type\": \"ANY\"}}]}", "acls.run_tasks[0].users: expecting");
        assertMessage("{\"run_tasks\": [{\"principals\": {\"type\": \"ALL\"}, \"users\": {\"type\": \"ANY\"}}]}",
                "acls.run_tasks[0].principals.type: expecting SOME, ANY or NONE");
        assertMessage("{\"run_tasks\": [{\"principals\": {\"values\": [1]}, \"users\": {\"type\": \"ANY\"}}]}",
                "acls.run_tasks[0].principals.values: expecting strings");
        assertMessage("{\"run_tasks\": [{\"principals\": {\"type\": \"ANY\"}, \"roles\": {\"type\": \"ANY\"}}]}",
                "acls.run_tasks[0].roles: unknown field");
        assertMessage("{\"permissive\": \"no\"}", "acls.permissive: expecting true or false");
        assertMessage("{", "acls: not valid JSON");
        assertMessage("/no/such/acls.json", "acls: no such file");
    }

    @Test
    public void mesosActionsPangaeaDoesNotServeAreAccepted() throws IOException {
        Acls acls = Acls.parse("{\"kill_nested_containers\": [{\"principals\": {\"type\": \"ANY\"},"
                + " \"users\": {\"type\": \"NONE\"}}]}");
        assertTrue(acls.configured());
    }

    private static void assertMessage(String acls, String expected) {
        IOException e = assertThrows(IOException.class, () -> Acls.parse(acls));
        assertTrue(e.getMessage(), e.getMessage().startsWith(expected));
    }
}
