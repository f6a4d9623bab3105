package io.pangaea.http;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import org.junit.Test;

/** Which failures of a streamed answer are a client that went away (not logged) and which are worth a warning. */
public class ClientGoneTest {

    @Test
    public void aBrokenPipeIsTheClientAndAnEncodingErrorIsNot() {
        assertTrue(HttpSupport.clientGone(new IOException(new org.eclipse.jetty.io.EofException("Broken pipe"))));
        assertTrue(HttpSupport.clientGone(new IOException(new java.nio.channels.ClosedChannelException())));
        assertFalse(HttpSupport.clientGone(new IOException("Invalid UTF-8 middle byte")));
        assertFalse(HttpSupport.clientGone(new IllegalStateException("no cause")));
    }
}
