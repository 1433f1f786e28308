package org.arrhythmiamonitor.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import org.arrhythmiamonitor.config.SettingException;

/**
 * The gateway's certificate and key, loaded and checked before anything else starts. Vert.x reads
 * them only when the server binds, after Kafka and the device registry are up, and a failure there
 * came as a stack trace; a key that is not the certificate's was not noticed at all, and every
 * device's handshake then failed.
 */
final class TlsIdentity {
    private static final List<String> KEY_TYPES = List.of("RSA", "EC", "EdDSA", "Ed25519", "RSASSA-PSS");

    private TlsIdentity() {
    }

    static KeyCertOptions options(Vertx vertx, GatewayConfig.Tls tls) {
        boolean pem = tls.certPath() != null;
        KeyCertOptions options = pem
                ? new PemKeyCertOptions().setCertPath(tls.certPath()).setKeyPath(tls.keyPath())
                : new KeyStoreOptions().setType("PKCS12").setPath(tls.keyStorePath()).setPassword(tls.keyStorePassword());
        KeyManagerFactory factory;
        try {
            factory = options.getKeyManagerFactory(vertx);
        } catch (Exception e) {
            // Vert.x's message says which part it could not read; both files are named, either may be at fault.
            throw pem
                    ? new SettingException(GatewayConfig.SECTION, name -> name.apply("tls.certPath") + " " + tls.certPath()
                            + " and " + name.apply("tls.keyPath") + " " + tls.keyPath() + " do not hold a certificate "
                            + "and its private key in PEM: " + e.getMessage())
                    : SettingException.of(GatewayConfig.SECTION, "tls.keyStorePath", tls.keyStorePath()
                            + " does not hold a certificate and its private key in PKCS#12: " + e.getMessage());
        }
        for (KeyManager manager : factory.getKeyManagers()) {
            if (manager instanceof X509KeyManager x509) {
                checkPairs(x509, pem ? "tls.keyPath" : "tls.keyStorePath", pem ? tls.keyPath() : tls.keyStorePath());
            }
        }
        return options;
    }

    /** Each private key must sign what its certificate's public key verifies. */
    private static void checkPairs(X509KeyManager manager, String key, String where) {
        for (String type : KEY_TYPES) {
            String[] aliases = manager.getServerAliases(type, null);
            for (String alias : aliases == null ? new String[0] : aliases) {
                X509Certificate[] chain = manager.getCertificateChain(alias);
                PrivateKey privateKey = manager.getPrivateKey(alias);
                if (chain == null || chain.length == 0 || privateKey == null) {
                    continue;
                }
                if (!matches(privateKey, chain[0].getPublicKey())) {
                    throw SettingException.of(GatewayConfig.SECTION, key, "the private key in " + where + " is not the "
                            + "certificate's (" + chain[0].getSubjectX500Principal().getName() + "): every TLS "
                            + "handshake would fail");
                }
            }
        }
    }

    private static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> privateKey.getAlgorithm(); // EdDSA, Ed25519: the algorithm is its own name
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            // A kind of key this check does not know how to sign with: leave it to the handshake.
            return true;
        }
    }
}
