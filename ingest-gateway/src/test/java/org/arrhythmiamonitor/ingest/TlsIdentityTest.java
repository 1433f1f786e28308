package org.arrhythmiamonitor.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.util.Base64;
import org.arrhythmiamonitor.config.SettingException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's certificate and key are checked before it starts: loadable, and a pair. */
class TlsIdentityTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void aKeyThatIsNotTheCertificatesOrAFileThatIsNoPemIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path keyStore = TestKeyStores.ecKeyStore(dir);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, "changeit".toCharArray());
        }
        Path cert = pem(dir.resolve("cert.pem"), "CERTIFICATE", store.getCertificate("gateway").getEncoded());
        Path key = pem(dir.resolve("key.pem"), "PRIVATE KEY",
                ((Key) store.getKey("gateway", "changeit".toCharArray())).getEncoded());
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        Path otherKey = pem(dir.resolve("other-key.pem"), "PRIVATE KEY", generator.generateKeyPair().getPrivate()
                .getEncoded());
        Path empty = Files.createFile(dir.resolve("empty.pem"));

        assertThat(TlsIdentity.options(vertx, new GatewayConfig.Tls(cert.toString(), key.toString(), null, null)))
                .isNotNull();
        assertThat(TlsIdentity.options(vertx, new GatewayConfig.Tls(null, null, keyStore.toString(), "changeit")))
                .isNotNull();
        assertThatThrownBy(() -> TlsIdentity.options(vertx,
                new GatewayConfig.Tls(cert.toString(), otherKey.toString(), null, null)))
                .isInstanceOf(SettingException.class)
                .hasMessageContaining("the private key in " + otherKey + " is not the certificate's (CN=localhost)");
        assertThatThrownBy(() -> TlsIdentity.options(vertx,
                new GatewayConfig.Tls(empty.toString(), key.toString(), null, null)))
                .isInstanceOf(SettingException.class)
                .hasMessageContaining("tls.certPath " + empty + " and tls.keyPath " + key
                        + " do not hold a certificate and its private key in PEM");
        assertThatThrownBy(() -> TlsIdentity.options(vertx,
                new GatewayConfig.Tls(null, null, keyStore.toString(), "wrong")))
                .isInstanceOf(SettingException.class).hasMessageContaining("does not hold a certificate and its "
                        + "private key in PKCS#12");
    }

    private static Path pem(Path file, String type, byte[] der) throws Exception {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        return Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
    }
}
