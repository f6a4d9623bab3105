package io.pangaea.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority for tests, made with the JDK's keytool: a CA, and certificates it signs for
 * {@code localhost} and {@code 127.0.0.1}, written as PEM files (certificate chain, PKCS#8 key) and as a PKCS#12
 * keystore. Shared with the other modules' tests through this module's test jar.
 */
public final class CertificateAuthority {

    public static final String PASSWORD = "changeit";

    public final Path dir;
    /** The CA certificate, PEM: what clients trust ({@code ssl_ca_file}). */
    public final Path caFile;
    private final Path caStore;

    public CertificateAuthority(Path dir) throws Exception {
        this.dir = dir;
        caStore = dir.resolve("ca.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname",
                "CN=Pangaea test CA", "-ext", "bc:c", "-validity", "3", "-keystore", caStore.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD);
        caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, io.pangaea.model.tls.TlsFiles.pem(load(caStore).getCertificate("ca")));
    }

    /** A certificate for {@code name}, signed by this CA, valid for localhost and 127.0.0.1. */
    public Issued issue(String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-validity", "3", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        Path csr = dir.resolve(name + ".csr");
        Path signed = dir.resolve(name + ".signed.pem");
        keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-storepass", PASSWORD, "-file",
                csr.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", PASSWORD, "-infile",
                csr.toString(), "-outfile", signed.toString(), "-rfc", "-validity", "3", "-ext",
                "SAN=dns:localhost,ip:127.0.0.1", "-ext", "KU=digitalSignature,keyEncipherment", "-ext",
                "EKU=serverAuth,clientAuth");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", store.toString(), "-storepass", PASSWORD,
                "-file", caFile.toString());
        keytool("-importcert", "-noprompt", "-alias", name, "-keystore", store.toString(), "-storepass", PASSWORD,
                "-file", signed.toString());
        KeyStore ks = load(store);
        Certificate[] chain = ks.getCertificateChain(name);
        StringBuilder pem = new StringBuilder();
        for (Certificate c : chain) {
            pem.append(io.pangaea.model.tls.TlsFiles.pem(c));
        }
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        Files.writeString(cert, pem);
        Files.writeString(key, io.pangaea.model.tls.TlsFiles.pem((PrivateKey) ks.getKey(name, PASSWORD.toCharArray())));
        return new Issued(cert, key, store);
    }

    /** One certificate: PEM chain and key, and the same as a PKCS#12 keystore (password {@link #PASSWORD}). */
    public record Issued(Path certFile, Path keyFile, Path keystore) {
        /** TLS settings serving this certificate, trusting the CA. */
        public Tls tls(Path caFile, boolean requireCert, boolean downgrade) {
            return new Tls(true, certFile.toString(), keyFile.toString(), "", "", caFile.toString(), requireCert,
                    downgrade);
        }
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
