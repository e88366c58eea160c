package dev.myelin.clientapi.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.clientapi.routing.TestServer.Response;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.util.List;
import java.util.Map;

@DatabaseComponent("userapi")
class ProfileAccountDataPushRulesTest {
    private static final String ALICE = "/_matrix/client/v3/user/@alice:test.local";

    @DatabaseTest
    void readsAndWritesProfileFields(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String token = s.registerToken("alice", "pw");
            String profile = "/_matrix/client/v3/profile/@alice:test.local";
            assertThat(s.put(profile + "/displayname", token, Map.of("displayname", "Alice")).status()).isEqualTo(200);
            assertThat(s.put(profile + "/avatar_url", token, Map.of("avatar_url", "mxc://test.local/abc")).status()).isEqualTo(200);
            assertThat(s.put(profile + "/org.example.job", token, Map.of("org.example.job", Map.of("title", "cook"))).status())
                    .isEqualTo(200);
            Response all = s.get(profile, null);
            assertThat(all.text("displayname")).isEqualTo("Alice");
            assertThat(all.text("avatar_url")).isEqualTo("mxc://test.local/abc");
            assertThat(all.body().path("org.example.job").path("title").asString()).isEqualTo("cook");
            assertThat(s.get(profile + "/displayname", null).text("displayname")).isEqualTo("Alice");
            assertThat(s.delete(profile + "/org.example.job", token, null).status()).isEqualTo(200);
            assertThat(s.get(profile + "/org.example.job", null).errcode()).isEqualTo("M_NOT_FOUND");

            assertThat(s.put(profile + "/displayname", token, Map.of("displayname", 5)).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.put(profile + "/displayname", token, Map.of()).errcode()).isEqualTo("M_MISSING_PARAM");
            assertThat(s.put(profile + "/Bad%20Key", token, Map.of("Bad Key", "x")).errcode()).isEqualTo("M_INVALID_PARAM");
            String longKey = "org.example." + "a".repeat(260);
            assertThat(s.put(profile + "/" + longKey, token, Map.of(longKey, "x")).errcode()).isEqualTo("M_KEY_TOO_LARGE");
            assertThat(s.put(profile + "/org.example.big", token, Map.of("org.example.big", "x".repeat(70_000))).errcode())
                    .isEqualTo("M_PROFILE_TOO_LARGE");
            assertThat(s.get("/_matrix/client/v3/profile/@nobody:test.local", null).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.get("/_matrix/client/v3/profile/nobody", null).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.get("/_matrix/client/v3/profile/@nobody:bad%20server", null).errcode()).isEqualTo("M_INVALID_PARAM");
        }
    }

    @DatabaseTest
    void storesAccountDataTagsAndFilters(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String token = s.registerToken("alice", "pw");
            assertThat(s.get(ALICE + "/account_data/org.example.settings", token).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.put(ALICE + "/account_data/org.example.settings", token, Map.of("theme", "dark")).status()).isEqualTo(200);
            assertThat(s.get(ALICE + "/account_data/org.example.settings", token).text("theme")).isEqualTo("dark");
            assertThat(s.put(ALICE + "/account_data/m.push_rules", token, Map.of()).status()).isEqualTo(405);
            assertThat(s.put(ALICE + "/rooms/!r:test.local/account_data/m.fully_read", token, Map.of()).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.put(ALICE + "/rooms/!r:test.local/account_data/org.example.room", token, Map.of("a", 1)).status()).isEqualTo(200);
            assertThat(s.get(ALICE + "/rooms/!r:test.local/account_data/org.example.room", token).body().path("a").asInt()).isEqualTo(1);
            assertThat(s.get(ALICE + "/rooms/!other:test.local/account_data/org.example.room", token).status()).isEqualTo(404);
            assertThat(s.put(ALICE + "/account_data/x", token, "[1]").errcode()).isEqualTo("M_BAD_JSON");

            assertThat(s.put(ALICE + "/rooms/!r:test.local/tags/m.favourite", token, Map.of("order", 0.5)).status()).isEqualTo(200);
            assertThat(s.put(ALICE + "/rooms/!r:test.local/tags/u.work", token, Map.of()).status()).isEqualTo(200);
            Response tags = s.get(ALICE + "/rooms/!r:test.local/tags", token);
            assertThat(tags.body().path("tags").path("m.favourite").path("order").asDouble()).isEqualTo(0.5);
            assertThat(tags.body().path("tags").has("u.work")).isTrue();
            assertThat(s.delete(ALICE + "/rooms/!r:test.local/tags/u.work", token, null).status()).isEqualTo(200);
            assertThat(s.get(ALICE + "/rooms/!r:test.local/tags", token).body().path("tags").has("u.work")).isFalse();
            assertThat(s.put(ALICE + "/rooms/!r:test.local/tags/x", token, Map.of("order", "high")).errcode()).isEqualTo("M_BAD_JSON");

            Response filter = s.post(ALICE + "/filter", token, Map.of("room", Map.of("timeline", Map.of("limit", 10))));
            String id = filter.text("filter_id");
            assertThat(s.get(ALICE + "/filter/" + id, token).body().path("room").path("timeline").path("limit").asInt()).isEqualTo(10);
            assertThat(s.get(ALICE + "/filter/999", token).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.post(ALICE + "/filter", token, Map.of("room", Map.of("timeline", Map.of("limit", "ten")))).errcode())
                    .isEqualTo("M_BAD_JSON");
            assertThat(s.post(ALICE + "/filter", token, Map.of("room", Map.of("rooms", List.of(1)))).errcode())
                    .isEqualTo("M_BAD_JSON");
            assertThat(s.post(ALICE + "/filter", token, Map.of("presence", Map.of("limit", 0))).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.post(ALICE + "/filter", token, Map.of("event_format", "xml")).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.post(ALICE + "/filter", token, Map.of("room", Map.of("include_leave", "yes"))).errcode()).isEqualTo("M_BAD_JSON");
        }
    }

    @DatabaseTest
    void servesAndEditsPushRules(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String token = s.registerToken("alice", "pw");
            Response all = s.get("/_matrix/client/v3/pushrules/", token);
            assertThat(all.body().path("global").path("override").get(0).path("rule_id").asString()).isEqualTo(".m.rule.master");
            assertThat(all.body().path("global").path("override").toString()).contains(".m.rule.is_room_mention", "@alice:test.local");
            String rules = "/_matrix/client/v3/pushrules/global/";
            assertThat(s.get(rules, token).body().has("underride")).isTrue();

            assertThat(s.put(rules + "content/cake", token, Map.of("pattern", "cake*", "actions", List.of("notify"))).status())
                    .isEqualTo(200);
            assertThat(s.put(rules + "content/pie", token, Map.of("pattern", "pie", "actions", List.of("notify"))).status())
                    .isEqualTo(200);
            assertThat(s.put(rules + "content/tart?after=pie", token, Map.of("pattern", "tart", "actions", List.of())).status())
                    .isEqualTo(200);
            Response content = s.get(rules, token);
            assertThat(content.body().path("content").findValuesAsString("rule_id")).containsExactly("pie", "tart", "cake");
            assertThat(s.put(rules + "content/x?before=nope", token, Map.of("pattern", "x", "actions", List.of())).errcode())
                    .isEqualTo("M_UNKNOWN");
            assertThat(s.put(rules + "override/.m.rule.mine", token, Map.of("actions", List.of())).status()).isEqualTo(400);
            assertThat(s.put(rules + "content/nopattern", token, Map.of("actions", List.of())).errcode()).isEqualTo("M_MISSING_PARAM");
            assertThat(s.put(rules + "bogus/x", token, Map.of("actions", List.of())).status()).isEqualTo(400);

            assertThat(s.put(rules + "override/.m.rule.master/enabled", token, Map.of("enabled", true)).status()).isEqualTo(200);
            assertThat(s.get(rules + "override/.m.rule.master/enabled", token).body().path("enabled").asBoolean()).isTrue();
            assertThat(s.put(rules + "underride/.m.rule.message/actions", token, Map.of("actions", List.of())).status()).isEqualTo(200);
            assertThat(s.get(rules + "underride/.m.rule.message/actions", token).body().path("actions").size()).isZero();
            assertThat(s.get(rules + "content/cake", token).text("pattern")).isEqualTo("cake*");
            assertThat(s.delete(rules + "content/cake", token, null).status()).isEqualTo(200);
            assertThat(s.get(rules + "content/cake", token).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.delete(rules + "override/.m.rule.master", token, null).status()).isEqualTo(403);
            assertThat(s.get(ALICE + "/account_data/m.push_rules", token).body().path("global").path("override").get(0)
                    .path("enabled").asBoolean()).as("the rules are account data too").isTrue();
        }
    }
}
