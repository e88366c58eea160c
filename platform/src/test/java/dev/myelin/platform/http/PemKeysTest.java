package dev.myelin.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemKeysTest {
    @TempDir Path dir;

    @Test
    void readsPkcs8Pkcs1AndSec1Keys() throws Exception {
        var rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        PrivateKey rsaKey = rsa.generateKeyPair().getPrivate();
        byte[] pkcs1 = PrivateKeyInfo.getInstance(rsaKey.getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
        Path rsaPem = dir.resolve("rsa.pem");
        Files.writeString(rsaPem, SelfSignedCertificate.pem("RSA PRIVATE KEY", pkcs1));
        assertThat(PemKeys.privateKey(rsaPem).getEncoded()).isEqualTo(rsaKey.getEncoded());

        SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
        PrivateKey ecKey = cert.keyPair().getPrivate();
        assertThat(PemKeys.privateKey(cert.keyPem()).getEncoded()).isEqualTo(ecKey.getEncoded());
        // as `openssl ec` writes it: the SEC1 structure with the named curve inside
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(ecKey.getEncoded());
        BigInteger s = ((java.security.interfaces.ECPrivateKey) ecKey).getS();
        byte[] sec1 = new ECPrivateKey(256, s, info.getPrivateKeyAlgorithm().getParameters()).getEncoded();
        Path ecPem = dir.resolve("ec.pem");
        Files.writeString(ecPem, SelfSignedCertificate.pem("EC PRIVATE KEY", sec1));
        assertThat(PemKeys.privateKey(ecPem).getAlgorithm()).isEqualTo("EC");

        assertThat(PemKeys.keyStore(cert.certPem(), cert.keyPem()).getCertificate("myelin")).isEqualTo(cert.certificate());
    }

    @Test
    void refusesFilesWithoutAKey() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
        assertThatThrownBy(() -> PemKeys.privateKey(cert.certPem()))
                .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("no PEM private key");
        Path encrypted = dir.resolve("enc.pem");
        Files.writeString(encrypted, SelfSignedCertificate.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> PemKeys.privateKey(encrypted)).hasMessageContaining("encrypted");
    }
}
