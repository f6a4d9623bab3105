package io.pangaea.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.Test;

/** Basic credentials against Mesos's principals and secrets. */
public class HttpAuthenticationTest {

    private final HttpAuthentication auth = new HttpAuthentication(Set.of(HttpAuthentication.MASTER_READONLY),
            Map.of("ops", "s3cret", "empty", ""));

    @Test
    public void onlyTheRightSecretOfAKnownPrincipalPasses() {
        assertEquals("ops", auth.principal(HttpAuthentication.basic("ops", "s3cret")));
        assertEquals("ops", auth.principal("basic " + HttpAuthentication.basic("ops", "s3cret").substring(6)));
        assertEquals("empty", auth.principal(HttpAuthentication.basic("empty", "")));
        assertNull(auth.principal(HttpAuthentication.basic("ops", "s3cret ")));
        assertNull(auth.principal(HttpAuthentication.basic("ops", "")));
        assertNull(auth.principal(HttpAuthentication.basic("nobody", "s3cret")));
        assertNull(auth.principal("Basic !!!"));
        assertNull(auth.principal("Basic " + java.util.Base64.getEncoder().encodeToString("no-colon".getBytes())));
        assertNull(auth.principal("Bearer x"));
        assertNull(auth.principal(null));
    }

    @Test
    public void onlyTheNamedRealmsAreProtected() {
        assertTrue(auth.protects(HttpAuthentication.MASTER_READONLY));
        assertFalse(auth.protects(HttpAuthentication.MASTER_READWRITE));
        assertFalse(HttpAuthentication.none().protects(HttpAuthentication.MASTER_READONLY));
    }
}
