package org.arrhythmiamonitor.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Key stores for TLS tests, made by the JDK's keytool. */
final class TestKeyStores {
    static final String PASSWORD = "changeit";
    static final String ALIAS = "gateway";

    private TestKeyStores() {
    }

    /** A PKCS#12 store holding an EC key and its self-signed certificate for CN=localhost. */
    static Path ecKeyStore(Path dir) throws Exception {
        Path keyStore = dir.resolve("gateway.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-dname", "CN=localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD)
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.exists(keyStore)).as(new String(keytool.getInputStream().readAllBytes())).isTrue();
        return keyStore;
    }
}
