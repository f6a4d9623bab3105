package io.pangaea.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.Test;

/** Executor tokens: what one agent signs it accepts; a forged, altered or foreign token is not. */
public class ExecutorTokensTest {

    private final ExecutorTokens tokens = new ExecutorTokens("a-secret-of-sixteen+".getBytes(StandardCharsets.UTF_8));

    @Test
    public void aTokenNamesItsExecutor() {
        String t = tokens.issue("fw-1", "exec-1", "cid-1");
        assertEquals(new ExecutorTokens.Claims("fw-1", "exec-1", "cid-1"), tokens.verify(t));
        assertEquals(3, t.split("\\.").length);
        assertEquals(t, ExecutorTokens.bearer("Bearer " + t));
        assertNull(ExecutorTokens.bearer("Basic abc"));
    }

    @Test
    public void anAlteredForgedOrForeignTokenIsRefused() {
        String t = tokens.issue("fw-1", "exec-1", "cid-1");
        String[] p = t.split("\\.");
        String otherClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"fid\":\"fw-1\",\"eid\":\"exec-2\",\"cid\":\"cid-1\"}".getBytes(StandardCharsets.UTF_8));
        assertNull("claims changed under the old signature", tokens.verify(p[0] + "." + otherClaims + "." + p[2]));
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}"
                .getBytes(StandardCharsets.UTF_8));
        assertNull("alg none", tokens.verify(none + "." + p[1] + "."));
        ExecutorTokens other = new ExecutorTokens("another-agents-key".getBytes(StandardCharsets.UTF_8));
        assertNull("signed by another key", tokens.verify(other.issue("fw-1", "exec-1", "cid-1")));
        assertNull(tokens.verify("not.a.token"));
        assertNull(tokens.verify("garbage"));
        assertNull(tokens.verify(null));
    }

    @Test
    public void aShortKeyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ExecutorTokens("short".getBytes()));
    }
}
