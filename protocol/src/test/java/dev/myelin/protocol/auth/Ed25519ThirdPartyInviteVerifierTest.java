package dev.myelin.protocol.auth;

import static dev.myelin.protocol.auth.RoomBuilder.obj;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.protocol.crypto.SignedJson;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.crypto.UnpaddedBase64;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The real third-party invite signature check, with keys made by our signing code. */
class Ed25519ThirdPartyInviteVerifierTest {

    private final SigningKey identityServer = SigningKey.of("0", filled(7));
    private final SigningKey other = SigningKey.of("0", filled(9));
    private final Ed25519ThirdPartyInviteVerifier verifier = new Ed25519ThirdPartyInviteVerifier();

    private static byte[] filled(int b) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) b);
        return seed;
    }

    private ObjectNode signed(SigningKey key) {
        return SignedJson.sign(obj("{\"mxid\":\"@carol:example.org\",\"token\":\"tok\"}"), "id.example.org", key);
    }

    @Test
    void acceptsASignatureByTheInvitesKey() {
        assertThat(verifier.anySignatureMatches(signed(identityServer), identityServer.publicKeyBase64())).isTrue();
    }

    @Test
    void acceptsAUrlSafeKey() {
        String urlSafe = UnpaddedBase64.encodeUrlSafe(identityServer.publicKey());
        assertThat(verifier.anySignatureMatches(signed(identityServer), urlSafe)).isTrue();
    }

    @Test
    void rejectsASignatureByAnotherKey() {
        assertThat(verifier.anySignatureMatches(signed(other), identityServer.publicKeyBase64())).isFalse();
    }

    @Test
    void rejectsATamperedObject() {
        ObjectNode s = signed(identityServer);
        s.put("mxid", "@mallory:example.org");
        assertThat(verifier.anySignatureMatches(s, identityServer.publicKeyBase64())).isFalse();
    }

    @Test
    void rejectsGarbageKeysAndSignatures() {
        ObjectNode s = obj("{\"mxid\":\"@c:x\",\"token\":\"t\",\"signatures\":{\"x\":{\"ed25519:0\":\"!!\"},\"y\":5}}");
        assertThat(verifier.anySignatureMatches(s, "not base64!")).isFalse();
        assertThat(verifier.anySignatureMatches(s, identityServer.publicKeyBase64())).isFalse();
    }

    @Test
    void standardRulesAllowAThirdPartyInviteSignedByTheIdentityServer() {
        var v = RoomVersions.V10;
        RoomBuilder room = RoomBuilder.standard(v, AuthRulesTest.ALICE);
        room.event(Pdu.THIRD_PARTY_INVITE, "tok", AuthRulesTest.ALICE)
                .content("{\"display_name\":\"c\",\"public_key\":\"" + identityServer.publicKeyBase64() + "\"}").send();
        ObjectNode content = obj("{\"membership\":\"invite\",\"third_party_invite\":{\"display_name\":\"c\"}}");
        ((ObjectNode) content.get("third_party_invite")).set("signed", signed(identityServer));
        Pdu invite = room.event(Pdu.MEMBER, "@carol:example.org", AuthRulesTest.ALICE).content(content).build();
        assertThat(room.check(invite, AuthRules.standard())).isEqualTo(AuthResult.allowed());

        ((ObjectNode) content.get("third_party_invite")).set("signed", signed(other));
        Pdu forged = room.event(Pdu.MEMBER, "@carol:example.org", AuthRulesTest.ALICE).content(content).build();
        assertThat(room.check(forged, AuthRules.standard())).isInstanceOf(AuthResult.Rejected.class);
    }
}
