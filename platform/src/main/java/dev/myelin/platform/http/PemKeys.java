package dev.myelin.platform.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Reads a TLS certificate chain and private key from PEM files (as certbot and openssl write them) into a
 * {@link KeyStore} for Jetty. Keys may be PKCS#8 ({@code PRIVATE KEY}: RSA, EC, Ed25519), PKCS#1
 * ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}); encrypted keys are refused.
 */
public final class PemKeys {
    /** The password of the in-memory key store; never stored anywhere. */
    static final char[] STORE_PASSWORD = "myelin".toCharArray();

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private PemKeys() {}

    /** A key store holding one entry, alias {@code myelin}: the key and its chain. */
    public static KeyStore keyStore(Path certPem, Path keyPem) throws IOException, GeneralSecurityException {
        List<? extends Certificate> chain = certificates(certPem);
        PrivateKey key = privateKey(keyPem);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("myelin", key, STORE_PASSWORD, chain.toArray(Certificate[]::new));
        return store;
    }

    static List<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        byte[] bytes = Files.readAllBytes(pem);
        List<? extends Certificate> chain = List.copyOf(
                CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes)));
        if (chain.isEmpty()) throw new GeneralSecurityException(pem + " holds no PEM certificate");
        return chain;
    }

    static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        Matcher m = BLOCK.matcher(Files.readString(pem, StandardCharsets.US_ASCII));
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "PRIVATE KEY" -> { return pkcs8(der, pem); }
                case "RSA PRIVATE KEY" -> {
                    var info = new PrivateKeyInfo(
                            new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                            ASN1Sequence.getInstance(der));
                    return pkcs8(info.getEncoded(), pem);
                }
                case "EC PRIVATE KEY" -> {
                    ECPrivateKey sec1 = ECPrivateKey.getInstance(ASN1Sequence.getInstance(der));
                    if (!(sec1.getParametersObject() instanceof ASN1ObjectIdentifier curve)) {
                        throw new GeneralSecurityException(pem + ": EC key without a named curve");
                    }
                    var info = new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), sec1);
                    return pkcs8(info.getEncoded(), pem);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new GeneralSecurityException(pem + ": encrypted private keys are not supported");
                default -> { /* e.g. EC PARAMETERS before the key: skip */ }
            }
        }
        throw new GeneralSecurityException(pem + " holds no PEM private key");
    }

    private static PrivateKey pkcs8(byte[] der, Path pem) throws GeneralSecurityException {
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // why: PKCS#8 names its algorithm inside; trying the few TLS key types is simpler than parsing it
            }
        }
        throw new GeneralSecurityException(pem + ": unsupported private key type");
    }
}
