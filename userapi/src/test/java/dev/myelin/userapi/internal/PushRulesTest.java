package dev.myelin.userapi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.http.MatrixException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class PushRulesTest {
    private static List<String> ids(ObjectNode rules, String kind) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : rules.get(kind)) out.add(r.get("rule_id").asString());
        return out;
    }

    @Test
    void defaultsAreTheSpecsRulesInOrderWithTheUserFilledIn() {
        ObjectNode rules = PushRules.defaults("@alice:example.org");
        assertThat(ids(rules, "override")).containsExactly(".m.rule.master", ".m.rule.suppress_notices",
                ".m.rule.invite_for_me", ".m.rule.member_event", ".m.rule.is_user_mention", ".m.rule.is_room_mention",
                ".m.rule.tombstone", ".m.rule.reaction", ".m.rule.room.server_acl", ".m.rule.suppress_edits");
        assertThat(ids(rules, "underride")).containsExactly(".m.rule.call", ".m.rule.encrypted_room_one_to_one",
                ".m.rule.room_one_to_one", ".m.rule.message", ".m.rule.encrypted");
        assertThat(rules.get("override").get(2).toString()).contains("@alice:example.org").doesNotContain("USER_ID");
        assertThat(rules.get("override").get(4).get("conditions").get(0).get("key").asString())
                .isEqualTo("content.m\\.mentions.user_ids");
        assertThat(rules.get("override").get(0).get("enabled").asBoolean()).isFalse();
    }

    @Test
    void userRulesGoAboveDefaultsButBelowMasterAndHonourBeforeAfter() {
        ObjectNode rules = PushRules.defaults("@a:x");
        ObjectNode body = Json.readObject("{\"actions\":[\"notify\"],\"conditions\":[]}");
        PushRules.put(rules, "override", "one", body, Optional.empty(), Optional.empty());
        PushRules.put(rules, "override", "two", body, Optional.empty(), Optional.empty());
        PushRules.put(rules, "override", "three", body, Optional.empty(), Optional.of("two"));
        PushRules.put(rules, "override", "zero", body, Optional.of("two"), Optional.empty());
        assertThat(ids(rules, "override").subList(0, 6)).containsExactly(".m.rule.master", "zero", "two", "three", "one",
                ".m.rule.suppress_notices");
        assertThatThrownBy(() -> PushRules.put(rules, "override", "x", body, Optional.of(".m.rule.message"), Optional.empty()))
                .isInstanceOfSatisfying(MatrixException.class, e -> assertThat(e.errcode()).isEqualTo("M_UNKNOWN"));
        assertThatThrownBy(() -> PushRules.put(rules, "override", ".mine", body, Optional.empty(), Optional.empty()))
                .isInstanceOf(MatrixException.class);
        assertThatThrownBy(() -> PushRules.delete(rules, "override", ".m.rule.master")).isInstanceOf(MatrixException.class);
        PushRules.setEnabled(rules, "override", ".m.rule.master", true);
        PushRules.delete(rules, "override", "zero");
        assertThat(ids(rules, "override")).doesNotContain("zero");
        assertThatThrownBy(() -> PushRules.rule(rules, "override", "zero"))
                .isInstanceOfSatisfying(MatrixException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void mergingAddsDefaultsTheStoredDocumentLacks() {
        ObjectNode stored = Json.readObject("{\"override\":[{\"rule_id\":\"mine\",\"default\":false,\"enabled\":true,"
                + "\"conditions\":[],\"actions\":[]}],\"underride\":[]}");
        ObjectNode merged = PushRules.merged("@a:x", Optional.of(stored));
        assertThat(ids(merged, "override").subList(0, 3)).containsExactly(".m.rule.master", "mine", ".m.rule.suppress_notices");
        assertThat(ids(merged, "underride")).hasSize(5);
        assertThat(ids(merged, "content")).isEmpty();
    }
}
