package dev.myelin.clientapi.routing;

import static dev.myelin.clientapi.routing.RoomTestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.clientapi.routing.TestServer.Response;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.roomserver.storage.ReportsTable;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Room upgrades, profile propagation, the space hierarchy, reporting and timestamp_to_event over HTTP. */
class RoomUpgradesSpacesHttpTest {
    private static final String V3 = "/_matrix/client/v3";
    private static final String V1 = "/_matrix/client/v1";

    @DatabaseTest
    void upgradesARoom(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String bob = s.register("bob");
            String old = s.post(V3 + "/createRoom", alice, Map.of("room_version", "10", "name", "Old", "topic", "t",
                    "room_alias_name", "up", "visibility", "public", "preset", "public_chat")).text("room_id");
            String o = V3 + "/rooms/" + enc(old);
            s.post(o + "/join", bob, Map.of());
            s.put(o + "/state/m.room.history_visibility", alice, Map.of("history_visibility", "joined"));
            s.post(o + "/ban", alice, Map.of("user_id", "@troll:test.local", "reason", "spam"));
            assertThat(s.post(o + "/upgrade", bob, Map.of("new_version", "12")).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.post(o + "/upgrade", alice, Map.of("new_version", "99")).errcode()).isEqualTo("M_UNSUPPORTED_ROOM_VERSION");
            Response upgraded = s.post(o + "/upgrade", alice, Map.of("new_version", "12"));
            assertThat(upgraded.status()).isEqualTo(200);
            String fresh = upgraded.text("replacement_room");
            String n = V3 + "/rooms/" + enc(fresh);

            JsonNode create = s.get(n + "/state/m.room.create", alice).body();
            assertThat(create.path("room_version").asString()).isEqualTo("12");
            assertThat(create.path("predecessor").path("room_id").asString()).isEqualTo(old);
            assertThat(s.get(n + "/state/m.room.name", alice).text("name")).isEqualTo("Old");
            assertThat(s.get(n + "/state/m.room.history_visibility", alice).text("history_visibility")).isEqualTo("joined");
            assertThat(s.get(n + "/state/m.room.member/" + enc("@troll:test.local"), alice).text("membership")).isEqualTo("ban");
            assertThat(s.get(n + "/state/m.room.power_levels", alice).body().path("users").has("@alice:test.local")).isFalse();
            assertThat(s.get(n + "/state/m.room.canonical_alias", alice).text("alias")).isEqualTo("#up:test.local");
            assertThat(s.get(o + "/state/m.room.tombstone", alice).text("replacement_room")).isEqualTo(fresh);
            assertThat(s.get(V3 + "/directory/room/" + enc("#up:test.local"), alice).text("room_id")).isEqualTo(fresh);
            assertThat(s.get(V3 + "/directory/list/room/" + enc(fresh), null).text("visibility")).isEqualTo("public");
            assertThat(s.get(V3 + "/directory/list/room/" + enc(old), null).text("visibility")).isEqualTo("private");
            // ordinary members can no longer talk in the old room; they can join the new one
            assertThat(s.put(o + "/send/m.room.message/x", bob, Map.of("body", "x")).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.post(V3 + "/join/" + enc(fresh), bob, Map.of()).status()).isEqualTo(200);
        }
    }

    @DatabaseTest
    void upgradeCarriesPowerLevelsInvitesSpaceChildrenAndEachUsersSettings(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String bob = s.register("bob");
            s.register("carol");
            String erin = s.register("erin");
            // alice may upgrade (tombstone 50) but not change power levels (100): her level is raised in the new room
            // while the state is copied, then the old power levels are restored
            Map<String, Object> power = Map.of("users", Map.of("@alice:test.local", 60), "users_default", 0,
                    "events", Map.of("m.room.tombstone", 50, "m.room.power_levels", 100), "state_default", 50,
                    "ban", 50, "invite", 0);
            String old = s.post(V3 + "/createRoom", alice, Map.of("room_version", "10", "preset", "public_chat",
                    "name", "Old", "power_level_content_override", power)).text("room_id");
            String o = V3 + "/rooms/" + enc(old);
            s.post(o + "/join", bob, Map.of());
            s.post(o + "/join", erin, Map.of());
            s.post(o + "/invite", alice, Map.of("user_id", "@carol:test.local"));
            s.put(o + "/state/m.space.child/" + enc("!child:test.local"), alice, Map.of("via", List.of("test.local")));
            s.put(o + "/state/m.room.encryption", alice, Map.of("algorithm", "m.megolm.v1.aes-sha2"));

            // bob's settings for the old room: a tag, a DM entry, a room rule and an override rule naming it
            String bobUser = V3 + "/user/" + enc("@bob:test.local");
            assertThat(s.put(bobUser + "/rooms/" + enc(old) + "/tags/u.work", bob, Map.of("order", 0.5)).status()).isEqualTo(200);
            s.put(bobUser + "/account_data/m.direct", bob, Map.of("@alice:test.local", List.of(old)));
            assertThat(s.put(V3 + "/pushrules/global/room/" + enc(old), bob, Map.of("actions", List.of())).status()).isEqualTo(200);
            assertThat(s.put(V3 + "/pushrules/global/override/" + enc("mute " + old), bob, Map.of("actions", List.of(),
                    "conditions", List.of(Map.of("kind", "event_match", "key", "room_id", "pattern", old)))).status()).isEqualTo(200);
            // erin tags the old room, leaves, and joins the new room later
            s.put(V3 + "/user/" + enc("@erin:test.local") + "/rooms/" + enc(old) + "/tags/m.favourite", erin, Map.of());
            s.post(o + "/leave", erin, Map.of());

            Response upgraded = s.post(o + "/upgrade", alice, Map.of("new_version", "11"));
            assertThat(upgraded.status()).isEqualTo(200);
            String fresh = upgraded.text("replacement_room");
            String n = V3 + "/rooms/" + enc(fresh);
            JsonNode pl = s.get(n + "/state/m.room.power_levels", alice).body();
            assertThat(pl.path("users").path("@alice:test.local").asInt()).isEqualTo(60);
            assertThat(pl.path("events").path("m.room.power_levels").asInt()).isEqualTo(100);
            assertThat(s.get(n + "/state/m.room.encryption", alice).text("algorithm")).isEqualTo("m.megolm.v1.aes-sha2");
            assertThat(s.get(n + "/state/m.space.child/" + enc("!child:test.local"), alice).body().path("via").get(0).asString())
                    .isEqualTo("test.local");
            assertThat(s.get(n + "/state/m.room.member/" + enc("@carol:test.local"), alice).text("membership")).isEqualTo("invite");
            assertThat(s.get(n + "/state/m.room.member/" + enc("@bob:test.local"), alice).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.get(o + "/state/m.room.tombstone", alice).text("replacement_room")).isEqualTo(fresh);

            // bob was in the old room: his settings were copied at the upgrade, before he joins
            assertThat(s.get(bobUser + "/rooms/" + enc(fresh) + "/tags", bob).body().path("tags").has("u.work")).isTrue();
            assertThat(s.get(bobUser + "/account_data/m.direct", bob).body().path("@alice:test.local").toString()).contains(old, fresh);
            assertThat(s.get(V3 + "/pushrules/global/room/" + enc(fresh), bob).status()).isEqualTo(200);
            JsonNode mute = s.get(V3 + "/pushrules/global/override/" + enc("mute " + fresh), bob).body();
            assertThat(mute.path("conditions").get(0).path("pattern").asString()).isEqualTo(fresh);
            assertThat(s.post(V3 + "/join/" + enc(fresh), bob, Map.of()).status()).isEqualTo(200);
            assertThat(s.get(bobUser + "/rooms/" + enc(fresh) + "/tags", bob).body().path("tags").size()).isEqualTo(1);

            // erin had left: her tag follows when she joins the new room
            String erinUser = V3 + "/user/" + enc("@erin:test.local");
            assertThat(s.get(erinUser + "/rooms/" + enc(fresh) + "/tags", erin).body().path("tags").has("m.favourite")).isFalse();
            assertThat(s.post(n + "/join", erin, Map.of()).status()).isEqualTo(200);
            assertThat(s.get(erinUser + "/rooms/" + enc(fresh) + "/tags", erin).body().path("tags").has("m.favourite")).isTrue();
        }
    }

    @DatabaseTest
    void aCreatorKeepsFullPowerWhenARoomMovesToAVersionWithoutPrivilegedCreators(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String old = s.post(V3 + "/createRoom", alice, Map.of("room_version", "12")).text("room_id");
            Response upgraded = s.post(V3 + "/rooms/" + enc(old) + "/upgrade", alice, Map.of("new_version", "11"));
            assertThat(upgraded.status()).isEqualTo(200);
            String n = V3 + "/rooms/" + enc(upgraded.text("replacement_room"));
            assertThat(s.get(n + "/state/m.room.power_levels", alice).body().path("users").path("@alice:test.local").asInt()).isEqualTo(100);
            assertThat(s.put(n + "/state/m.room.topic", alice, Map.of("topic", "still mine")).status()).isEqualTo(200);
        }
    }

    @DatabaseTest
    void profileChangesUpdateMembershipEvents(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String a = s.post(V3 + "/createRoom", alice, Map.of()).text("room_id");
            String b = s.post(V3 + "/createRoom", alice, Map.of()).text("room_id");
            s.put(V3 + "/profile/@alice:test.local/displayname", alice, Map.of("displayname", "Alice Liddell"));
            s.put(V3 + "/profile/@alice:test.local/avatar_url", alice, Map.of("avatar_url", "mxc://test.local/a"));
            for (String room : List.of(a, b)) {
                JsonNode member = s.get(V3 + "/rooms/" + enc(room) + "/state/m.room.member/" + enc("@alice:test.local"), alice).body();
                assertThat(member.path("displayname").asString()).isEqualTo("Alice Liddell");
                assertThat(member.path("avatar_url").asString()).isEqualTo("mxc://test.local/a");
                assertThat(member.path("membership").asString()).isEqualTo("join");
            }
        }
    }

    @DatabaseTest
    void walksTheSpaceHierarchy(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String bob = s.register("bob");
            String space = s.post(V3 + "/createRoom", alice, Map.of("name", "Space", "preset", "public_chat",
                    "creation_content", Map.of("type", "m.space"))).text("room_id");
            String child = s.post(V3 + "/createRoom", alice, Map.of("name", "Child", "preset", "public_chat")).text("room_id");
            String secret = s.post(V3 + "/createRoom", alice, Map.of("name", "Secret", "preset", "private_chat")).text("room_id");
            String grandchild = s.post(V3 + "/createRoom", alice, Map.of("name", "Grandchild", "preset", "public_chat")).text("room_id");
            s.put(V3 + "/rooms/" + enc(space) + "/state/m.space.child/" + enc(child), alice, Map.of("via", List.of("test.local"), "suggested", true));
            s.put(V3 + "/rooms/" + enc(space) + "/state/m.space.child/" + enc(secret), alice, Map.of("via", List.of("test.local")));
            s.put(V3 + "/rooms/" + enc(child) + "/state/m.space.child/" + enc(grandchild), alice, Map.of("via", List.of("test.local")));

            JsonNode all = s.get(V1 + "/rooms/" + enc(space) + "/hierarchy", bob).body();
            assertThat(names(all)).containsExactly("Space", "Child", "Grandchild");
            assertThat(all.path("rooms").get(0).path("room_type").asString()).isEqualTo("m.space");
            assertThat(all.path("rooms").get(0).path("children_state").size()).isEqualTo(2);
            assertThat(names(s.get(V1 + "/rooms/" + enc(space) + "/hierarchy", alice).body())).contains("Secret");
            assertThat(names(s.get(V1 + "/rooms/" + enc(space) + "/hierarchy?max_depth=0", bob).body())).containsExactly("Space");
            assertThat(names(s.get(V1 + "/rooms/" + enc(space) + "/hierarchy?suggested_only=true", bob).body()))
                    .containsExactly("Space", "Child");
            JsonNode page = s.get(V1 + "/rooms/" + enc(space) + "/hierarchy?limit=1", bob).body();
            assertThat(names(page)).containsExactly("Space");
            JsonNode rest = s.get(V1 + "/rooms/" + enc(space) + "/hierarchy?limit=5&from=" + page.path("next_batch").asString(), bob).body();
            assertThat(names(rest)).containsExactly("Child", "Grandchild");
            assertThat(s.get(V1 + "/rooms/" + enc(secret) + "/hierarchy", bob).errcode()).isEqualTo("M_FORBIDDEN");
        }
    }

    @DatabaseTest
    void reportsAndFindsEventsByTime(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String bob = s.register("bob");
            String room = s.post(V3 + "/createRoom", alice, Map.of()).text("room_id");
            String r = V3 + "/rooms/" + enc(room);
            long before = System.currentTimeMillis();
            String event = s.put(r + "/send/m.room.message/1", alice, Map.of("body", "bad")).text("event_id");
            assertThat(s.post(r + "/report/" + enc(event), alice, Map.of("reason", "rude", "score", -50)).status()).isEqualTo(200);
            assertThat(s.post(r + "/report/" + enc(event), bob, Map.of("reason", "rude")).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.post(r + "/report/" + enc("$missing"), alice, Map.of()).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.post(r + "/report/" + enc(event), alice, Map.of("score", 5)).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.post(r + "/report", bob, Map.of("reason", "whole room")).status()).isEqualTo(200);
            assertThat(s.post(V3 + "/users/" + enc("@alice:test.local") + "/report", bob, Map.of("reason", "person")).status()).isEqualTo(200);
            List<ReportsTable.Report> reports = s.roomDb.read(ReportsTable::all);
            assertThat(reports).extracting(ReportsTable.Report::reason).containsExactly("rude", "whole room", "person");
            assertThat(reports.getFirst().eventId()).isEqualTo(event);

            JsonNode found = s.get(V1 + "/rooms/" + enc(room) + "/timestamp_to_event?ts=" + (before - 1) + "&dir=f", alice).body();
            assertThat(found.path("origin_server_ts").asLong()).isGreaterThanOrEqualTo(before - 1);
            JsonNode last = s.get(V1 + "/rooms/" + enc(room) + "/timestamp_to_event?ts=" + (System.currentTimeMillis() + 1000) + "&dir=b", alice).body();
            assertThat(last.path("event_id").asString()).isEqualTo(event);
            assertThat(s.get(V1 + "/rooms/" + enc(room) + "/timestamp_to_event?ts=1&dir=b", alice).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.get(V1 + "/rooms/" + enc(room) + "/timestamp_to_event?ts=1&dir=x", alice).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.get(V1 + "/rooms/" + enc(room) + "/timestamp_to_event?ts=1&dir=f", bob).errcode()).isEqualTo("M_FORBIDDEN");
        }
    }

    private static List<String> names(JsonNode hierarchy) {
        return hierarchy.path("rooms").valueStream().map(n -> n.path("name").asString()).toList();
    }
}
