package dev.myelin.protocol.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.json.ProtocolJson;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.ObjectNode;

/** The spec's JSON signing test vectors, RFC 8032's Ed25519 vectors, and how signature checks fail. */
class SignedJsonTest {

    static final SigningKey SPEC_KEY = SigningKey.of("1", UnpaddedBase64.decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"));

    private static ObjectNode json(String text) {
        return (ObjectNode) ProtocolJson.parseStrict(text);
    }

    @Test
    void signsTheEmptyObjectAsTheSpecSays() {
        ObjectNode signed = SignedJson.sign(json("{}"), "domain", SPEC_KEY);
        assertThat(CanonicalJson.encodeToString(signed)).isEqualTo("{\"signatures\":{\"domain\":{\"ed25519:1\":"
                + "\"K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ\"}}}");
    }

    @Test
    void signsAnObjectWithDataAsTheSpecSays() {
        ObjectNode signed = SignedJson.sign(json("{\"one\":1,\"two\":\"Two\"}"), "domain", SPEC_KEY);
        assertThat(signed.at("/signatures/domain/ed25519:1").stringValue())
                .isEqualTo("KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw");
        assertThat(signed.get("one").intValue()).isEqualTo(1);
    }

    @Test
    void signatureIgnoresUnsignedAndKeepsOtherSignatures() {
        ObjectNode signed = SignedJson.sign(json("{\"one\":1,\"two\":\"Two\",\"unsigned\":{\"age\":5},"
                + "\"signatures\":{\"other\":{\"ed25519:x\":\"abc\"}}}"), "domain", SPEC_KEY);
        assertThat(signed.at("/signatures/domain/ed25519:1").stringValue())
                .isEqualTo("KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw");
        assertThat(signed.at("/signatures/other/ed25519:x").stringValue()).isEqualTo("abc");
        assertThat(signed.at("/unsigned/age").intValue()).isEqualTo(5);
    }

    @Test
    void verifiesWhatItSigned() {
        ObjectNode signed = SignedJson.sign(json("{\"a\":[1,2,{\"b\":\"c\"}]}"), "domain", SPEC_KEY);
        KeyRing keys = KeyRing.of(Map.of("domain", Map.of("ed25519:1", VerifyKey.of(SPEC_KEY))));
        SignedJson.verify(signed, "domain", keys, 0);
        signed.put("unsigned", "anything");
        SignedJson.verify(signed, "domain", keys, 0);
    }

    @Test
    void rejectsATamperedObjectNamingServerAndKey() {
        ObjectNode signed = SignedJson.sign(json("{\"a\":1}"), "domain", SPEC_KEY);
        signed.put("a", 2);
        KeyRing keys = KeyRing.of(Map.of("domain", Map.of("ed25519:1", VerifyKey.of(SPEC_KEY))));
        assertThatThrownBy(() -> SignedJson.verify(signed, "domain", keys, 0))
                .isInstanceOfSatisfying(SignatureException.class, e -> {
                    assertThat(e.serverName()).isEqualTo("domain");
                    assertThat(e.keyId()).isEqualTo("ed25519:1");
                })
                .hasMessageContaining("bad signature by domain ed25519:1");
    }

    @Test
    void failsWhenNoKnownValidKeySigned() {
        ObjectNode signed = SignedJson.sign(json("{\"a\":1}"), "domain", SPEC_KEY);
        KeyRing none = (server, keyId) -> java.util.Optional.empty();
        assertThatThrownBy(() -> SignedJson.verify(signed, "domain", none, 0))
                .isInstanceOf(SignatureException.class).hasMessageContaining("unknown key");
        assertThatThrownBy(() -> SignedJson.verify(signed, "other", none, 0))
                .isInstanceOf(SignatureException.class).hasMessageContaining("not signed by other");
        KeyRing expired = KeyRing.of(Map.of("domain", Map.of("ed25519:1",
                VerifyKey.ed25519(SPEC_KEY.publicKey(), 999))));
        SignedJson.verify(signed, "domain", expired, 999);
        assertThatThrownBy(() -> SignedJson.verify(signed, "domain", expired, 1000))
                .isInstanceOf(SignatureException.class).hasMessageContaining("expired");
    }

    @Test
    void failsOnMalformedSignatures() {
        KeyRing keys = KeyRing.of(Map.of("domain", Map.of("ed25519:1", VerifyKey.of(SPEC_KEY))));
        assertThatThrownBy(() -> SignedJson.verify(json("{\"signatures\":{\"domain\":{\"ed25519:1\":\"!!\"}}}"), "domain", keys, 0))
                .isInstanceOf(SignatureException.class).hasMessageContaining("base64");
        assertThatThrownBy(() -> SignedJson.verify(json("{\"signatures\":{\"domain\":{\"ed25519:1\":5}}}"), "domain", keys, 0))
                .isInstanceOf(SignatureException.class);
        assertThatThrownBy(() -> SignedJson.verify(json("{\"signatures\":{\"domain\":{\"ed25519:1\":\"AAAA\"}}}"), "domain", keys, 0))
                .isInstanceOf(SignatureException.class).hasMessageContaining("bad signature");
        assertThatThrownBy(() -> SignedJson.verify(json("{\"signatures\":[]}"), "domain", keys, 0))
                .isInstanceOf(SignatureException.class);
        assertThatThrownBy(() -> SignedJson.verify(json("{\"signatures\":{\"domain\":{\"curve25519:1\":\"AAAA\"}}}"), "domain", keys, 0))
                .isInstanceOf(SignatureException.class).hasMessageContaining("no signature by domain");
    }

    @Test
    void findsASignatureByAGivenKeyUnderAnyEntity() {
        ObjectNode signed = SignedJson.sign(json("{\"mxid\":\"@a:x\",\"token\":\"t\"}"), "identity.example", SPEC_KEY);
        assertThat(SignedJson.anySignatureVerifies(signed, VerifyKey.of(SPEC_KEY))).isTrue();
        SigningKey other = SigningKey.of("2", new byte[32]);
        assertThat(SignedJson.anySignatureVerifies(signed, VerifyKey.of(other))).isFalse();
        signed.put("token", "changed");
        assertThat(SignedJson.anySignatureVerifies(signed, VerifyKey.of(SPEC_KEY))).isFalse();
        assertThat(SignedJson.anySignatureVerifies(json("{\"signatures\":{\"x\":{\"ed25519:0\":\"!\"},\"y\":1}}"),
                VerifyKey.of(SPEC_KEY))).isFalse();
    }

    @ParameterizedTest(name = "RFC 8032 test {index}")
    @CsvSource({
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60, d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a, '', "
                + "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb, 3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c, 72, "
                + "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7, fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025, af82, "
                + "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    })
    void matchesRfc8032Vectors(String secret, String publicKey, String message, String signature) {
        HexFormat hex = HexFormat.of();
        byte[] msg = message == null ? new byte[0] : hex.parseHex(message);
        SigningKey key = SigningKey.of("t", hex.parseHex(secret));
        assertThat(hex.formatHex(key.publicKey())).isEqualTo(publicKey);
        assertThat(hex.formatHex(key.sign(msg))).isEqualTo(signature);
        VerifyKey verifyKey = VerifyKey.ed25519(hex.parseHex(publicKey), VerifyKey.NO_EXPIRY);
        assertThat(verifyKey.verify(msg, hex.parseHex(signature))).isTrue();
        byte[] wrong = hex.parseHex(signature);
        wrong[0] ^= 1;
        assertThat(verifyKey.verify(msg, wrong)).isFalse();
    }
}
