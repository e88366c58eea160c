package dev.myelin.clientapi.routing;

import static dev.myelin.clientapi.routing.RoomTestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.clientapi.routing.TestServer.Response;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The room endpoints over HTTP on both dialects: create, send, state, events, joined members, membership, redaction, aliases, directory. */
class RoomsHttpTest {
    private static final String V3 = "/_matrix/client/v3";

    @DatabaseTest
    void createsRoomsSendsAndReadsThem(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String bob = s.register("bob");
            s.put(V3 + "/profile/@alice:test.local/displayname", alice, Map.of("displayname", "Alice A."));
            Response created = s.post(V3 + "/createRoom", alice, Map.of("name", "Lounge", "topic", "chat",
                    "room_alias_name", "lounge", "preset", "public_chat", "visibility", "public",
                    "invite", List.of("@bob:test.local"),
                    "initial_state", List.of(Map.of("type", "org.example.custom", "state_key", "k", "content", Map.of("a", 1))),
                    "power_level_content_override", Map.of("events_default", 10)));
            assertThat(created.status()).isEqualTo(200);
            String room = created.text("room_id");
            assertThat(created.text("room_alias")).isEqualTo("#lounge:test.local");
            String r = V3 + "/rooms/" + enc(room);

            assertThat(s.get(r + "/state/m.room.name/", alice).text("name")).isEqualTo("Lounge");
            assertThat(s.get(r + "/state/m.room.name", alice).text("name")).isEqualTo("Lounge");
            assertThat(s.get(r + "/state/m.room.topic", alice).text("topic")).isEqualTo("chat");
            assertThat(s.get(r + "/state/m.room.join_rules", alice).text("join_rule")).isEqualTo("public");
            assertThat(s.get(r + "/state/org.example.custom/k", alice).body().path("a").asInt()).isEqualTo(1);
            assertThat(s.get(r + "/state/m.room.power_levels", alice).body().path("events_default").asInt()).isEqualTo(10);
            assertThat(s.get(r + "/state/m.room.canonical_alias", alice).text("alias")).isEqualTo("#lounge:test.local");
            assertThat(s.get(r + "/state/m.room.member/" + enc("@alice:test.local"), alice).text("displayname")).isEqualTo("Alice A.");
            Response asEvent = s.get(r + "/state/m.room.name/?format=event", alice);
            assertThat(asEvent.text("type")).isEqualTo("m.room.name");
            assertThat(asEvent.text("event_id")).startsWith("$");
            assertThat(s.get(r + "/state/m.room.nothing", alice).errcode()).isEqualTo("M_NOT_FOUND");

            // send with a transaction ID: the same ID gives the same event
            Response sent = s.put(r + "/send/m.room.message/txn1", alice, Map.of("msgtype", "m.text", "body", "hi"));
            assertThat(sent.status()).isEqualTo(200);
            String eventId = sent.text("event_id");
            assertThat(s.put(r + "/send/m.room.message/txn1", alice, Map.of("msgtype", "m.text", "body", "hi")).text("event_id"))
                    .isEqualTo(eventId);
            Response event = s.get(r + "/event/" + enc(eventId), alice);
            assertThat(event.body().path("content").path("body").asString()).isEqualTo("hi");
            assertThat(event.text("sender")).isEqualTo("@alice:test.local");
            assertThat(event.body().has("hashes")).isFalse();
            assertThat(event.body().has("signatures")).isFalse();

            // bob is invited: may not read the state yet, then joins by alias
            assertThat(s.get(r + "/state", bob).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.post(V3 + "/join/" + enc("#lounge:test.local"), bob, Map.of("reason", "hello")).text("room_id")).isEqualTo(room);
            assertThat(s.get(r + "/state/m.room.member/" + enc("@bob:test.local"), bob).text("reason")).isEqualTo("hello");
            JsonNode joined = s.get(r + "/joined_members", bob).body().path("joined");
            assertThat(names(joined)).containsExactlyInAnyOrder("@alice:test.local", "@bob:test.local");
            assertThat(joined.path("@alice:test.local").path("display_name").asString()).isEqualTo("Alice A.");
            assertThat(s.get(V3 + "/joined_rooms", bob).body().path("joined_rooms").get(0).asString()).isEqualTo(room);
            JsonNode state = s.get(r + "/state", bob).body();
            assertThat(state.isArray()).isTrue();
            assertThat(state.size()).isGreaterThanOrEqualTo(9);

            // bob's power level (0) is below events_default (10): refused with the reason, nothing stored
            Response refused = s.put(r + "/send/m.room.message/b1", bob, Map.of("body", "x"));
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(refused.text("error")).isNotEmpty();
            assertThat(s.put(r + "/state/m.room.name", bob, Map.of("name", "mine")).errcode()).isEqualTo("M_FORBIDDEN");
        }
    }

    @DatabaseTest
    void rejectsBadInputWithTheSpecsErrors(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            assertThat(s.post(V3 + "/createRoom", null, Map.of()).errcode()).isEqualTo("M_MISSING_TOKEN");
            assertThat(s.post(V3 + "/createRoom", alice, Map.of("room_version", "99")).errcode()).isEqualTo("M_UNSUPPORTED_ROOM_VERSION");
            assertThat(s.post(V3 + "/createRoom", alice, Map.of("preset", "nope")).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.post(V3 + "/createRoom", alice, Map.of("invite", List.of("not-a-user"))).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.post(V3 + "/createRoom", alice, Map.of("invite_3pid", List.of(Map.of("medium", "email")))).status())
                    .isEqualTo(400);
            assertThat(s.post(V3 + "/createRoom", alice, "{not json").errcode()).isEqualTo("M_NOT_JSON");
            assertThat(s.post(V3 + "/createRoom", alice, Map.of("room_alias_name", "taken")).status()).isEqualTo(200);
            assertThat(s.post(V3 + "/createRoom", alice, Map.of("room_alias_name", "taken")).errcode()).isEqualTo("M_ROOM_IN_USE");
            String room = s.post(V3 + "/createRoom", alice, Map.of()).text("room_id");
            String r = V3 + "/rooms/" + enc(room);
            assertThat(s.put(r + "/send/m.room.message/big", alice, Map.of("body", "x".repeat(70_000))).errcode()).isEqualTo("M_TOO_LARGE");
            assertThat(s.put(r + "/send/" + "t".repeat(300) + "/long", alice, Map.of()).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.put(r + "/state/m.room.topic/" + "k".repeat(300), alice, Map.of()).errcode()).isEqualTo("M_BAD_JSON");
            Response hugeState = s.put(r + "/state/m.room.topic", alice, Map.of("topic", "x".repeat(70_000)));
            assertThat(hugeState.status()).isEqualTo(413);
            assertThat(hugeState.errcode()).isEqualTo("M_TOO_LARGE");
            assertThat(s.post(V3 + "/createRoom", alice, Map.of("initial_state", List.of(Map.of("type", "m.room.topic",
                    "content", Map.of("topic", "x".repeat(70_000)))))).errcode()).isEqualTo("M_TOO_LARGE");
            // state the auth rules would not catch as bad input
            assertThat(s.put(r + "/state/m.room.create", alice, Map.of()).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.put(r + "/state/m.room.member/not-a-user", alice, Map.of("membership", "join")).errcode())
                    .isEqualTo("M_INVALID_PARAM");
            assertThat(s.put(r + "/state/m.room.member/" + enc("@alice:test.local"), alice, Map.of("membership", "bogus")).errcode())
                    .isEqualTo("M_BAD_JSON");
            assertThat(s.put(r + "/state/m.room.join_rules", alice, Map.of("join_rule", 5)).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.put(r + "/state/m.room.history_visibility", alice, Map.of("history_visibility", "everyone")).errcode())
                    .isEqualTo("M_BAD_JSON");
            assertThat(s.put(r + "/state/m.room.name", alice, Map.of("name", List.of())).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.put(r + "/state/m.room.name", alice, Map.of()).status()).isEqualTo(200);
            assertThat(s.put(r + "/send/m.room.message/arr", alice, List.of()).errcode()).isEqualTo("M_BAD_JSON");
            // unknown rooms, events, aliases, users
            assertThat(s.put(V3 + "/rooms/" + enc("!nope:test.local") + "/send/m.room.message/u", alice, Map.of()).errcode())
                    .isEqualTo("M_NOT_FOUND");
            assertThat(s.get(r + "/event/" + enc("$nope"), alice).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.get(V3 + "/rooms/" + enc("!nope:test.local") + "/state", alice).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.get(V3 + "/directory/room/" + enc("#nope:test.local"), alice).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.delete(V3 + "/directory/room/" + enc("#nope:test.local"), alice).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.post(V3 + "/join/" + enc("#nope:test.local"), alice, Map.of()).errcode()).isEqualTo("M_NOT_FOUND");
            Response remote = s.post(V3 + "/join/" + enc("#room:elsewhere.example"), alice, Map.of());
            assertThat(remote.errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(remote.text("error")).contains("federation");
            assertThat(s.post(V3 + "/users/not-a-user/report", alice, Map.of("reason", "x")).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.post(V3 + "/createRoom", alice, Map.of("room_alias_name", "a:b")).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.post(V3 + "/createRoom", alice, Map.of("is_direct", "yes")).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.put(r + "/send/m.room.message/arr", alice, "[1]").errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.put(V3 + "/rooms/" + enc("!unknown:test.local") + "/send/m.room.message/x", alice, Map.of()).errcode())
                    .isEqualTo("M_NOT_FOUND");
            assertThat(s.get(V3 + "/rooms/" + enc("!unknown:test.local") + "/state", alice).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.get(r + "/event/" + enc("$nope"), alice).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.post(V3 + "/join/" + enc("#missing:test.local"), alice, Map.of()).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.post(V3 + "/join/" + enc("!elsewhere:other.example"), alice, Map.of()).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.put(r + "/state/m.room.canonical_alias", alice, Map.of("alias", "#ghost:test.local")).errcode())
                    .isEqualTo("M_BAD_ALIAS");
            assertThat(s.put(r + "/state/m.room.server_acl", alice, Map.of("allow", "*")).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.put(r + "/state/m.room.server_acl", alice, Map.of("allow", List.of("*"), "deny", List.of())).status())
                    .isEqualTo(200);
        }
    }

    @DatabaseTest
    void redactsWithRedactedBecauseAndHidesHistoryByVisibility(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String bob = s.register("bob");
            String carol = s.register("carol");
            String room = s.post(V3 + "/createRoom", alice, Map.of("preset", "public_chat")).text("room_id");
            String r = V3 + "/rooms/" + enc(room);
            assertThat(s.put(r + "/state/m.room.history_visibility", alice, Map.of("history_visibility", "joined")).status()).isEqualTo(200);
            String before = s.put(r + "/send/m.room.message/1", alice, Map.of("body", "before bob")).text("event_id");
            s.post(r + "/join", bob, Map.of());
            String secret = s.put(r + "/send/m.room.message/2", alice, Map.of("body", "secret", "msgtype", "m.text")).text("event_id");
            // joined visibility: bob sees what was sent while he was joined, not before
            assertThat(s.get(r + "/event/" + enc(before), bob).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.get(r + "/event/" + enc(secret), bob).status()).isEqualTo(200);
            assertThat(s.get(r + "/event/" + enc(secret), carol).errcode()).isEqualTo("M_NOT_FOUND");

            // bob may not redact alice's event (redact level 50); alice may, with a reason
            assertThat(s.put(r + "/redact/" + enc(secret) + "/r1", bob, Map.of()).errcode()).isEqualTo("M_FORBIDDEN");
            // nor through /send with content.redacts (room version 11+)
            assertThat(s.put(r + "/send/m.room.redaction/sneaky", bob, Map.of("redacts", secret)).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.get(r + "/event/" + enc(secret), bob).body().path("content").path("body").asString()).isEqualTo("secret");
            Response redaction = s.put(r + "/redact/" + enc(secret) + "/r1", alice, Map.of("reason", "oops"));
            assertThat(redaction.status()).isEqualTo(200);
            assertThat(s.put(r + "/redact/" + enc(secret) + "/r1", alice, Map.of("reason", "oops")).text("event_id"))
                    .isEqualTo(redaction.text("event_id"));
            JsonNode redacted = s.get(r + "/event/" + enc(secret), alice).body();
            assertThat(redacted.path("content").size()).isZero();
            assertThat(redacted.path("unsigned").path("redacted_because").path("event_id").asString()).isEqualTo(redaction.text("event_id"));
            assertThat(redacted.path("unsigned").path("redacted_because").path("content").path("reason").asString()).isEqualTo("oops");
            // bob can redact his own
            String own = s.put(r + "/send/m.room.message/3", bob, Map.of("body", "mine")).text("event_id");
            assertThat(s.put(r + "/redact/" + enc(own) + "/r2", bob, Map.of()).status()).isEqualTo(200);

            // after leaving, bob reads the state as it was when he left; world_readable opens the room to carol
            assertThat(s.post(r + "/leave", bob, Map.of()).status()).isEqualTo(200);
            s.put(r + "/state/m.room.topic", alice, Map.of("topic", "after bob"));
            assertThat(s.get(r + "/state/m.room.topic", bob).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.get(r + "/state/m.room.member/" + enc("@bob:test.local"), bob).text("membership")).isEqualTo("leave");
            assertThat(s.get(r + "/state", carol).errcode()).isEqualTo("M_FORBIDDEN");
            s.put(r + "/state/m.room.history_visibility", alice, Map.of("history_visibility", "world_readable"));
            assertThat(s.get(r + "/state/m.room.topic", carol).text("topic")).isEqualTo("after bob");
            String open = s.put(r + "/send/m.room.message/4", alice, Map.of("body", "public")).text("event_id");
            assertThat(s.get(r + "/event/" + enc(open), carol).status()).isEqualTo(200);
            // forget: only after leaving
            assertThat(s.post(r + "/forget", alice, Map.of()).status()).isEqualTo(400);
            assertThat(s.post(r + "/forget", bob, Map.of()).status()).isEqualTo(200);
        }
    }

    @DatabaseTest
    void managesAliasesAndTheDirectory(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String bob = s.register("bob");
            String room = s.post(V3 + "/createRoom", alice, Map.of("name", "Alpha Room", "topic", "first")).text("room_id");
            String alias = V3 + "/directory/room/" + enc("#alpha:test.local");
            assertThat(s.get(alias, alice).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.put(alias, alice, Map.of("room_id", room)).status()).isEqualTo(200);
            assertThat(s.put(alias, alice, Map.of("room_id", room)).status()).isEqualTo(409);
            assertThat(s.put(V3 + "/directory/room/" + enc("#x:other.example"), alice, Map.of("room_id", room)).errcode())
                    .isEqualTo("M_INVALID_PARAM");
            assertThat(s.put(V3 + "/directory/room/" + enc("#y:test.local"), alice, Map.of("room_id", "!nope:test.local")).errcode())
                    .isEqualTo("M_NOT_FOUND");
            Response resolved = s.get(alias, bob);
            assertThat(resolved.text("room_id")).isEqualTo(room);
            assertThat(resolved.body().path("servers").get(0).asString()).isEqualTo("test.local");
            assertThat(s.get(V3 + "/rooms/" + enc(room) + "/aliases", alice).body().path("aliases").get(0).asString())
                    .isEqualTo("#alpha:test.local");
            assertThat(s.get(V3 + "/rooms/" + enc(room) + "/aliases", bob).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.put(V3 + "/rooms/" + enc(room) + "/state/m.room.canonical_alias", alice,
                    Map.of("alias", "#alpha:test.local")).status()).isEqualTo(200);
            assertThat(s.delete(alias, bob).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.delete(alias, alice).status()).isEqualTo(200);
            assertThat(s.get(alias, alice).errcode()).isEqualTo("M_NOT_FOUND");

            // directory
            String list = V3 + "/directory/list/room/" + enc(room);
            assertThat(s.get(list, null).text("visibility")).isEqualTo("private");
            assertThat(s.put(list, bob, Map.of("visibility", "public")).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.put(list, alice, Map.of("visibility", "public")).status()).isEqualTo(200);
            assertThat(s.get(list, null).text("visibility")).isEqualTo("public");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(s.post(V3 + "/createRoom", bob, Map.of("visibility", "public", "name", "Beta " + i)).text("room_id"));
            }
            JsonNode page = s.get(V3 + "/publicRooms?limit=2", null).body();
            assertThat(page.path("chunk").size()).isEqualTo(2);
            assertThat(page.path("total_room_count_estimate").asInt()).isEqualTo(4);
            JsonNode next = s.get(V3 + "/publicRooms?limit=2&since=" + page.path("next_batch").asString(), null).body();
            assertThat(next.path("chunk").size()).isEqualTo(2);
            assertThat(next.has("next_batch")).isFalse();
            assertThat(next.path("prev_batch").asString()).isNotEmpty();
            JsonNode filtered = s.post(V3 + "/publicRooms", alice, Map.of("filter", Map.of("generic_search_term", "alpha"))).body();
            assertThat(filtered.path("chunk").size()).isEqualTo(1);
            assertThat(filtered.path("chunk").get(0).path("name").asString()).isEqualTo("Alpha Room");
            assertThat(filtered.path("chunk").get(0).path("num_joined_members").asInt()).isEqualTo(1);
            assertThat(s.get(V3 + "/publicRooms?since=bogus", null).errcode()).isEqualTo("M_INVALID_PARAM");
        }
    }

    @DatabaseTest
    void guestsJoinOnlyWhereGuestAccessAllowsAndRefusedInitialStateIs400(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String guest = s.post(V3 + "/register?kind=guest", null, Map.of()).text("access_token");
            assertThat(guest).isNotEmpty();
            String closed = s.post(V3 + "/createRoom", alice, Map.of("preset", "public_chat")).text("room_id");
            String open = s.post(V3 + "/createRoom", alice, Map.of("preset", "public_chat",
                    "initial_state", List.of(Map.of("type", "m.room.guest_access", "content", Map.of("guest_access", "can_join"))))).text("room_id");
            assertThat(s.post(V3 + "/rooms/" + enc(closed) + "/join", guest, Map.of()).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.post(V3 + "/rooms/" + enc(open) + "/join", guest, Map.of()).status()).isEqualTo(200);
            assertThat(s.put(V3 + "/rooms/" + enc(open) + "/send/m.room.message/g1", guest, Map.of("body", "hi")).status()).isEqualTo(200);
            // closing guest access makes the guests leave
            String guestId = s.get(V3 + "/account/whoami", guest).text("user_id");
            assertThat(s.put(V3 + "/rooms/" + enc(open) + "/state/m.room.guest_access", alice, Map.of("guest_access", "forbidden")).status())
                    .isEqualTo(200);
            assertThat(s.get(V3 + "/rooms/" + enc(open) + "/state/m.room.member/" + enc(guestId), alice).text("membership")).isEqualTo("leave");
            assertThat(s.post(V3 + "/join/" + enc(open), guest, Map.of()).errcode()).isEqualTo("M_GUEST_ACCESS_FORBIDDEN");
            Response invalid = s.post(V3 + "/createRoom", alice, Map.of("room_version", "10", "name", "x",
                    "power_level_content_override", Map.of("users", Map.of("@alice:test.local", 10), "state_default", 50)));
            assertThat(invalid.status()).isEqualTo(400);
            assertThat(invalid.errcode()).isEqualTo("M_INVALID_ROOM_STATE");
            // why last: a request refused before its body is read may leave the client a closed keep-alive connection
            assertThat(s.post(V3 + "/createRoom", guest, Map.of()).errcode()).isEqualTo("M_GUEST_ACCESS_FORBIDDEN");
        }
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.propertyNames().forEach(out::add);
        return out;
    }
}
