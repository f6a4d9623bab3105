package io.pangaea.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * TLS connectors: HTTPS with PEM files or a keystore, a required client certificate, and the downgrade that serves
 * plain HTTP on the same port; settings that cannot work are refused with the setting's name.
 */
public class TlsTest {

    private static Path dir;
    private static CertificateAuthority ca;
    private static CertificateAuthority.Issued server;
    private static CertificateAuthority.Issued client;

    @BeforeClass
    public static void certificates() throws Exception {
        dir = Files.createTempDirectory("pangaea-tls");
        ca = new CertificateAuthority(dir);
        server = ca.issue("server");
        client = ca.issue("client");
    }

    @AfterClass
    public static void clean() throws Exception {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Server serve(Tls tls) throws Exception {
        Server s = new Server();
        ServerConnector c = tls.connector(s, new HttpConfiguration());
        c.setHost("127.0.0.1");
        c.setPort(0);
        s.addConnector(c);
        s.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                HttpSupport.text(response, callback, 200, request.getHttpURI().getScheme());
                return true;
            }
        });
        s.start();
        return s;
    }

    private static int port(Server s) {
        return ((ServerConnector) s.getConnectors()[0]).getLocalPort();
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void pemFilesServeHttpsToAClientTrustingTheCa() throws Exception {
        Tls tls = server.tls(ca.caFile, false, false);
        assertNull(tls.invalid());
        Server s = serve(tls);
        try {
            HttpClient trusting = HttpClient.newBuilder().sslContext(Tls.trusting(ca.caFile)).build();
            HttpResponse<String> r = get(trusting, "https://127.0.0.1:" + port(s) + "/x");
            assertEquals(200, r.statusCode());
            assertEquals("https", r.body());
            // a client that does not trust the CA cannot talk to it, nor can plain HTTP
            assertThrows(java.io.IOException.class, () -> get(HttpClient.newHttpClient(),
                    "https://127.0.0.1:" + port(s) + "/x"));
            assertThrows(java.io.IOException.class, () -> get(HttpClient.newHttpClient(),
                    "http://127.0.0.1:" + port(s) + "/x"));
        } finally {
            s.stop();
        }
    }

    @Test
    public void aKeystoreServesTheSame() throws Exception {
        Tls tls = new Tls(true, "", "", server.keystore().toString(), CertificateAuthority.PASSWORD, "", false, false);
        assertNull(tls.invalid());
        Server s = serve(tls);
        try {
            HttpClient trusting = HttpClient.newBuilder().sslContext(Tls.trusting(ca.caFile)).build();
            assertEquals(200, get(trusting, "https://localhost:" + port(s) + "/").statusCode());
        } finally {
            s.stop();
        }
    }

    @Test
    public void aRequiredClientCertificateKeepsOthersOut() throws Exception {
        Server s = serve(server.tls(ca.caFile, true, false));
        try {
            HttpClient anonymous = HttpClient.newBuilder().sslContext(Tls.trusting(ca.caFile)).build();
            assertThrows(java.io.IOException.class, () -> get(anonymous, "https://127.0.0.1:" + port(s) + "/"));
            HttpClient withCert = HttpClient.newBuilder().sslContext(client.tls(ca.caFile, false, false)
                    .clientContext()).build();
            assertEquals(200, get(withCert, "https://127.0.0.1:" + port(s) + "/").statusCode());
        } finally {
            s.stop();
        }
    }

    @Test
    public void theDowngradeServesPlainHttpOnTheSamePort() throws Exception {
        Server s = serve(server.tls(ca.caFile, false, true));
        try {
            HttpClient trusting = HttpClient.newBuilder().sslContext(Tls.trusting(ca.caFile)).build();
            assertEquals("https", get(trusting, "https://127.0.0.1:" + port(s) + "/").body());
            assertEquals("http", get(HttpClient.newHttpClient(), "http://127.0.0.1:" + port(s) + "/").body());
        } finally {
            s.stop();
        }
    }

    @Test
    public void settingsThatCannotWorkNameTheSetting() throws Exception {
        assertTrue(new Tls(true, "", "", "", "", "", false, false).invalid().startsWith("ssl_enabled is on"));
        assertTrue(new Tls(true, server.certFile().toString(), "", "", "", "", false, false).invalid()
                .startsWith("ssl_key_file"));
        assertTrue(new Tls(true, "/no/cert", server.keyFile().toString(), "", "", "", false, false).invalid()
                .startsWith("ssl_cert_file: no such file"));
        assertTrue(new Tls(true, server.keyFile().toString(), server.keyFile().toString(), "", "", "", false, false)
                .invalid().startsWith("ssl_cert_file"));
        assertTrue(new Tls(true, server.certFile().toString(), server.certFile().toString(), "", "", "", false,
                false).invalid().startsWith("ssl_key_file"));
        assertTrue(new Tls(true, server.certFile().toString(), server.keyFile().toString(), "", "", "", true, false)
                .invalid().startsWith("ssl_require_cert"));
        assertTrue(new Tls(true, "", "", server.keystore().toString(), "wrong", "", false, false).invalid()
                .startsWith("ssl_keystore"));
        assertNull(Tls.off().invalid());
    }
}
