package dev.myelin.userapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The push rule evaluator against the spec's default rules and each condition kind. */
class PushRuleEvaluatorTest {
    private static final String ME = "@bob:example.org";
    private static final String ROOM = "!room:example.org";

    /** A group room (5 members), bob called "Bob Smith", the sender at power 0, notifications.room at 50. */
    private static final PushRuleEvaluator.RoomContext GROUP = context(5, "Bob Smith", 0);

    private static PushRuleEvaluator.RoomContext context(long members, String displayName, long senderLevel) {
        return new PushRuleEvaluator.RoomContext(members, displayName, senderLevel, key -> 50);
    }

    private static ObjectNode event(String json) {
        ObjectNode e = Json.readObject(json);
        if (!e.has("room_id")) e.put("room_id", ROOM);
        if (!e.has("sender")) e.put("sender", "@alice:example.org");
        return e;
    }

    private static ObjectNode message(String body) {
        ObjectNode e = event("{\"type\":\"m.room.message\",\"content\":{\"msgtype\":\"m.text\"}}");
        ((ObjectNode) e.get("content")).put("body", body);
        return e;
    }

    private static PushRuleEvaluator defaults() {
        return PushRuleEvaluator.compile(PushRules.defaults(ME));
    }

    private static Optional<PushRuleEvaluator.Outcome> eval(PushRuleEvaluator rules, ObjectNode event,
                                                            PushRuleEvaluator.RoomContext room) {
        return rules.evaluate(event, room);
    }

    private static String ruleOf(ObjectNode event, PushRuleEvaluator.RoomContext room) {
        return eval(defaults(), event, room).map(PushRuleEvaluator.Outcome::ruleId).orElse("none");
    }

    @Test
    void aPlainMessageNotifiesWithoutHighlightInAGroupAndWithSoundOneToOne() {
        var group = eval(defaults(), message("hello"), GROUP).orElseThrow();
        assertThat(group.ruleId()).isEqualTo(".m.rule.message");
        assertThat(group.notifies()).isTrue();
        assertThat(group.highlight()).isFalse();
        assertThat(group.sound()).isEmpty();

        var direct = eval(defaults(), message("hello"), context(2, null, 0)).orElseThrow();
        assertThat(direct.ruleId()).isEqualTo(".m.rule.room_one_to_one");
        assertThat(direct.sound()).contains("default");
    }

    @Test
    void encryptedEventsNotifyThroughTheirOwnRules() {
        ObjectNode encrypted = event("{\"type\":\"m.room.encrypted\",\"content\":{\"algorithm\":\"m.megolm.v1.aes-sha2\"}}");
        assertThat(ruleOf(encrypted, GROUP)).isEqualTo(".m.rule.encrypted");
        assertThat(ruleOf(encrypted, context(2, null, 0))).isEqualTo(".m.rule.encrypted_room_one_to_one");
    }

    @Test
    void userMentionsHighlight() {
        ObjectNode mention = event("{\"type\":\"m.room.message\",\"content\":{\"body\":\"hi\",\"m.mentions\":{\"user_ids\":[\""
                + ME + "\"]}}}");
        var outcome = eval(defaults(), mention, GROUP).orElseThrow();
        assertThat(outcome.ruleId()).isEqualTo(".m.rule.is_user_mention");
        assertThat(outcome.highlight()).isTrue();
        ObjectNode other = event("{\"type\":\"m.room.message\",\"content\":{\"body\":\"hi\",\"m.mentions\":{\"user_ids\":[\"@carol:x\"]}}}");
        assertThat(ruleOf(other, GROUP)).isEqualTo(".m.rule.message");
    }

    @Test
    void roomMentionsNeedTheSendersNotificationPower() {
        ObjectNode atRoom = event("{\"type\":\"m.room.message\",\"content\":{\"body\":\"all\",\"m.mentions\":{\"room\":true}}}");
        assertThat(ruleOf(atRoom, context(5, null, 50))).isEqualTo(".m.rule.is_room_mention");
        assertThat(eval(defaults(), atRoom, context(5, null, 50)).orElseThrow().highlight()).isTrue();
        assertThat(ruleOf(atRoom, context(5, null, 49))).isEqualTo(".m.rule.message");
        ObjectNode notTrue = event("{\"type\":\"m.room.message\",\"content\":{\"body\":\"all\",\"m.mentions\":{\"room\":\"true\"}}}");
        assertThat(ruleOf(notTrue, context(5, null, 100))).as("no type casting").isEqualTo(".m.rule.message");
    }

    @Test
    void noticesEditsReactionsAndMembershipsAreSilent() {
        ObjectNode notice = event("{\"type\":\"m.room.message\",\"content\":{\"msgtype\":\"m.notice\",\"body\":\"bot\"}}");
        ObjectNode edit = event("{\"type\":\"m.room.message\",\"content\":{\"body\":\"* x\",\"m.relates_to\":{\"rel_type\":\"m.replace\",\"event_id\":\"$a\"}}}");
        ObjectNode reaction = event("{\"type\":\"m.reaction\",\"content\":{\"m.relates_to\":{\"rel_type\":\"m.annotation\",\"event_id\":\"$a\",\"key\":\"👍\"}}}");
        ObjectNode join = event("{\"type\":\"m.room.member\",\"state_key\":\"@carol:x\",\"content\":{\"membership\":\"join\"}}");
        for (ObjectNode e : new ObjectNode[] {notice, edit, reaction, join}) {
            var outcome = eval(defaults(), e, GROUP).orElseThrow();
            assertThat(outcome.notifies()).as(e.toString()).isFalse();
        }
        assertThat(ruleOf(notice, GROUP)).isEqualTo(".m.rule.suppress_notices");
        assertThat(ruleOf(edit, GROUP)).isEqualTo(".m.rule.suppress_edits");
        assertThat(ruleOf(reaction, GROUP)).isEqualTo(".m.rule.reaction");
        assertThat(ruleOf(join, GROUP)).isEqualTo(".m.rule.member_event");
    }

    @Test
    void invitesForMeTombstonesAndCallsNotify() {
        ObjectNode invite = event("{\"type\":\"m.room.member\",\"state_key\":\"" + ME + "\",\"content\":{\"membership\":\"invite\"}}");
        assertThat(ruleOf(invite, GROUP)).isEqualTo(".m.rule.invite_for_me");
        assertThat(eval(defaults(), invite, GROUP).orElseThrow().notifies()).isTrue();

        ObjectNode tombstone = event("{\"type\":\"m.room.tombstone\",\"state_key\":\"\",\"content\":{\"replacement_room\":\"!n:x\"}}");
        assertThat(eval(defaults(), tombstone, GROUP).orElseThrow().highlight()).isTrue();
        ObjectNode notState = event("{\"type\":\"m.room.tombstone\",\"content\":{\"replacement_room\":\"!n:x\"}}");
        assertThat(ruleOf(notState, GROUP)).as("state_key must be present and empty").isEqualTo("none");

        ObjectNode call = event("{\"type\":\"m.call.invite\",\"content\":{}}");
        var ring = eval(defaults(), call, GROUP).orElseThrow();
        assertThat(ring.ruleId()).isEqualTo(".m.rule.call");
        assertThat(ring.sound()).contains("ring");
    }

    @Test
    void theMasterRuleWhenEnabledSilencesEverything() {
        ObjectNode rules = PushRules.defaults(ME);
        PushRules.setEnabled(rules, "override", ".m.rule.master", true);
        ObjectNode mention = event("{\"type\":\"m.room.message\",\"content\":{\"body\":\"hi\",\"m.mentions\":{\"user_ids\":[\"" + ME + "\"]}}}");
        var outcome = PushRuleEvaluator.compile(rules).evaluate(mention, GROUP).orElseThrow();
        assertThat(outcome.ruleId()).isEqualTo(".m.rule.master");
        assertThat(outcome.notifies()).isFalse();
    }

    @Test
    void disabledRulesNeverMatchAndKindsGoInPriorityOrder() {
        ObjectNode rules = PushRules.defaults(ME);
        PushRules.setEnabled(rules, "underride", ".m.rule.message", false);
        assertThat(PushRuleEvaluator.compile(rules).evaluate(message("hi"), GROUP)).isEmpty();

        // a room rule outranks underrides, a sender rule too, a content rule outranks both
        ObjectNode ordered = PushRules.defaults(ME);
        PushRules.put(ordered, "room", ROOM, Json.readObject("{\"actions\":[\"dont_notify\"]}"), Optional.empty(), Optional.empty());
        PushRuleEvaluator muted = PushRuleEvaluator.compile(ordered);
        var roomRule = muted.evaluate(message("hi"), GROUP).orElseThrow();
        assertThat(roomRule.ruleId()).isEqualTo(ROOM);
        assertThat(roomRule.notifies()).as("dont_notify is ignored, leaving no actions").isFalse();
        assertThat(roomRule.actions()).isEmpty();

        PushRules.put(ordered, "content", "cake", Json.readObject("{\"pattern\":\"cake\",\"actions\":[\"notify\",{\"set_tweak\":\"highlight\"}]}"),
                Optional.empty(), Optional.empty());
        var content = PushRuleEvaluator.compile(ordered).evaluate(message("Cake is nice"), GROUP).orElseThrow();
        assertThat(content.ruleId()).isEqualTo("cake");
        assertThat(content.highlight()).isTrue();
        assertThat(PushRuleEvaluator.compile(ordered).evaluate(message("cakes"), GROUP).orElseThrow().ruleId()).isEqualTo(ROOM);

        ObjectNode senderRules = PushRules.defaults(ME);
        PushRules.put(senderRules, "sender", "@alice:example.org", Json.readObject("{\"actions\":[\"notify\",\"coalesce\"]}"),
                Optional.empty(), Optional.empty());
        var sender = PushRuleEvaluator.compile(senderRules).evaluate(message("x"), GROUP).orElseThrow();
        assertThat(sender.ruleId()).isEqualTo("@alice:example.org");
        assertThat(sender.actions().toString()).isEqualTo("[\"notify\"]");
    }

    @Test
    void eventMatchIsAnchoredGlobExceptOnBodyWhereWordsBound() {
        PushRuleEvaluator topic = rule("{\"kind\":\"event_match\",\"key\":\"content.topic\",\"pattern\":\"lunc?*\"}");
        assertThat(matches(topic, "{\"type\":\"m.room.topic\",\"content\":{\"topic\":\"Lunch plans\"}}")).isTrue();
        assertThat(matches(topic, "{\"type\":\"m.room.topic\",\"content\":{\"topic\":\"LUNCH\"}}")).isTrue();
        assertThat(matches(topic, "{\"type\":\"m.room.topic\",\"content\":{\"topic\":\" lunch\"}}")).isFalse();
        assertThat(matches(topic, "{\"type\":\"m.room.topic\",\"content\":{\"topic\":\"lunc\"}}")).isFalse();
        assertThat(matches(topic, "{\"type\":\"m.room.topic\",\"content\":{\"topic\":null}}")).isFalse();
        PushRuleEvaluator any = rule("{\"kind\":\"event_match\",\"key\":\"content.topic\",\"pattern\":\"*\"}");
        assertThat(matches(any, "{\"type\":\"m.room.topic\",\"content\":{}}")).as("absent never matches").isFalse();

        PushRuleEvaluator body = rule("{\"kind\":\"event_match\",\"key\":\"content.body\",\"pattern\":\"ex*ple\"}");
        assertThat(matches(body, "{\"type\":\"m.room.message\",\"content\":{\"body\":\"An example event.\"}}")).isTrue();
        assertThat(matches(body, "{\"type\":\"m.room.message\",\"content\":{\"body\":\"exple\"}}")).isTrue();
        assertThat(matches(body, "{\"type\":\"m.room.message\",\"content\":{\"body\":\"An exciting triple-whammy\"}}")).isTrue();
        assertThat(matches(body, "{\"type\":\"m.room.message\",\"content\":{\"body\":\"examples\"}}")).isFalse();
        PushRuleEvaluator dots = rule("{\"kind\":\"event_match\",\"key\":\"content.body\",\"pattern\":\"a.c\"}");
        assertThat(matches(dots, "{\"type\":\"m.room.message\",\"content\":{\"body\":\"abc\"}}")).as("regex characters are literal").isFalse();
    }

    @Test
    void propertyConditionsCompareExactValuesAtEscapedPaths() {
        PushRuleEvaluator federate = rule("{\"kind\":\"event_property_is\",\"key\":\"content.m\\\\.federate\",\"value\":true}");
        assertThat(matches(federate, "{\"type\":\"m.room.create\",\"content\":{\"m.federate\":true}}")).isTrue();
        assertThat(matches(federate, "{\"type\":\"m.room.create\",\"content\":{\"m.federate\":\"true\"}}")).isFalse();
        assertThat(matches(federate, "{\"type\":\"m.room.create\",\"content\":{\"m.federate\":1}}")).isFalse();
        assertThat(matches(federate, "{\"type\":\"m.room.create\",\"content\":{\"m\":{\"federate\":true}}}")).isFalse();

        PushRuleEvaluator isNull = rule("{\"kind\":\"event_property_is\",\"key\":\"content.x\",\"value\":null}");
        assertThat(matches(isNull, "{\"type\":\"t\",\"content\":{\"x\":null}}")).isTrue();
        assertThat(matches(isNull, "{\"type\":\"t\",\"content\":{}}")).isFalse();
        PushRuleEvaluator number = rule("{\"kind\":\"event_property_is\",\"key\":\"content.n\",\"value\":3}");
        assertThat(matches(number, "{\"type\":\"t\",\"content\":{\"n\":3}}")).isTrue();
        PushRuleEvaluator compound = rule("{\"kind\":\"event_property_is\",\"key\":\"content.o\",\"value\":{}}");
        assertThat(matches(compound, "{\"type\":\"t\",\"content\":{\"o\":{}}}")).as("compound values are unsupported").isFalse();

        PushRuleEvaluator aliases = rule("{\"kind\":\"event_property_contains\",\"key\":\"content.alt_aliases\",\"value\":\"#myroom:example.com\"}");
        assertThat(matches(aliases, "{\"type\":\"t\",\"content\":{\"alt_aliases\":[\"#a:b\",\"#myroom:example.com\"]}}")).isTrue();
        assertThat(matches(aliases, "{\"type\":\"t\",\"content\":{\"alt_aliases\":[\":example.com\"]}}")).isFalse();
        assertThat(matches(aliases, "{\"type\":\"t\",\"content\":{\"alt_aliases\":\"#myroom:example.com\"}}")).isFalse();

        PushRuleEvaluator backslash = rule("{\"kind\":\"event_property_is\",\"key\":\"content.a\\\\\\\\b\",\"value\":1}");
        assertThat(matches(backslash, "{\"type\":\"t\",\"content\":{\"a\\\\b\":1}}")).isTrue();
        assertThat(PushRuleEvaluator.path("a\\.b.c\\\\.d\\x")).containsExactly("a.b", "c\\", "d\\x");
    }

    @Test
    void displayNamesMemberCountsPermissionsAndUnknownConditions() {
        PushRuleEvaluator name = rule("{\"kind\":\"contains_display_name\"}");
        assertThat(name.evaluate(message("hey bob smith!"), GROUP)).isPresent();
        assertThat(name.evaluate(message("hey bob smithers"), GROUP)).isEmpty();
        assertThat(name.evaluate(message("hey bob smith"), context(5, null, 0))).isEmpty();

        for (String[] c : new String[][] {{"2", "2", "true"}, {"==2", "3", "false"}, {"<3", "2", "true"}, {">3", "3", "false"},
                {">=3", "3", "true"}, {"<=1", "2", "false"}, {"x2", "2", "false"}, {"", "0", "false"}}) {
            PushRuleEvaluator count = rule("{\"kind\":\"room_member_count\",\"is\":\"" + c[0] + "\"}");
            assertThat(count.evaluate(message("x"), context(Long.parseLong(c[1]), null, 0)).isPresent())
                    .as("is %s with %s members", c[0], c[1]).isEqualTo(Boolean.parseBoolean(c[2]));
        }

        PushRuleEvaluator permission = rule("{\"kind\":\"sender_notification_permission\",\"key\":\"room\"}");
        assertThat(permission.evaluate(message("x"), context(5, null, 50))).isPresent();
        assertThat(permission.evaluate(message("x"), context(5, null, 10))).isEmpty();

        assertThat(rule("{\"kind\":\"device\",\"profile_tag\":\"x\"}").evaluate(message("x"), GROUP)).as("unknown").isEmpty();
        assertThat(rule("{\"kind\":\"event_match\",\"key\":\"type\"}").evaluate(message("x"), GROUP)).as("malformed").isEmpty();
    }

    @Property
    void aLiteralPatternMatchesItselfInAnyCaseAndNothingLonger(@ForAll @AlphaChars @StringLength(min = 1, max = 20) String word,
                                                            @ForAll @IntRange(min = 0, max = 3) int padding) {
        PushRuleEvaluator exact = rule("{\"kind\":\"event_match\",\"key\":\"content.topic\",\"pattern\":\"" + word + "\"}");
        String pad = "x".repeat(padding);
        assertThat(matches(exact, "{\"type\":\"t\",\"content\":{\"topic\":\"" + word.toUpperCase() + "\"}}")).isTrue();
        assertThat(matches(exact, "{\"type\":\"t\",\"content\":{\"topic\":\"" + word + pad + "\"}}")).isEqualTo(padding == 0);
        PushRuleEvaluator body = rule("{\"kind\":\"event_match\",\"key\":\"content.body\",\"pattern\":\"" + word + "\"}");
        assertThat(body.evaluate(message("say " + word.toLowerCase() + ", please"), GROUP)).isPresent();
        // why a digit before it: a lead-in made of letters ("say") is itself a match when the word is "say"
        assertThat(body.evaluate(message("1 " + word + "_" + pad), GROUP)).as("'_' is a word character").isEmpty();
    }

    @Property
    void theDefaultRulesNeverNotifyAboutNoticesWhateverTheBody(@ForAll @StringLength(max = 50) String body,
                                                               @ForAll @IntRange(min = 1, max = 500) int members) {
        ObjectNode notice = message(body);
        ((ObjectNode) notice.get("content")).put("msgtype", "m.notice");
        var outcome = defaults().evaluate(notice, context(members, "Bob", 100)).orElseThrow();
        assertThat(outcome.notifies()).isFalse();
    }

    private static PushRuleEvaluator rule(String condition) {
        ObjectNode rules = Json.readObject("{\"override\":[{\"rule_id\":\"r\",\"default\":false,\"enabled\":true,\"conditions\":["
                + condition + "],\"actions\":[\"notify\"]}]}");
        return PushRuleEvaluator.compile(rules);
    }

    private static boolean matches(PushRuleEvaluator rules, String json) {
        return rules.evaluate(event(json), GROUP).isPresent();
    }
}
