package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.SyncTestServer.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.SyncTestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The user directory: who shares a room or is in a public room, by ID or display name, kept current. */
class UserDirectoryTest {

    private static List<String> users(JsonNode response) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : response.path("results")) out.add(r.path("user_id").asString());
        return out;
    }

    @DatabaseTest
    void findsUsersWhoShareARoomOrArePublicByIdAndDisplayName(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String shared = s.rooms.createRoom(id("alice"));
            s.rooms.state(shared, id("bob"), "m.room.member", id("bob"), Map.of("membership", "join", "displayname", "Bob Builder"));
            String privateRoom = s.rooms.createRoom(id("carol"));
            s.rooms.state(privateRoom, id("carol"), "m.room.member", id("carol"), Map.of("membership", "join", "displayname", "Carol B"));
            String publicRoom = s.rooms.createRoom(id("dave"));
            s.rooms.state(publicRoom, id("dave"), "m.room.join_rules", "", Map.of("join_rule", "public"));
            s.rooms.state(publicRoom, id("dave"), "m.room.member", id("dave"), Map.of("membership", "join", "displayname", "Dave Bee"));

            String path = "/_matrix/client/v3/user_directory/search";
            JsonNode byName = s.call("POST", path, alice, Map.of("search_term", "builder")).body();
            assertThat(users(byName)).containsExactly(id("bob"));
            assertThat(byName.path("results").get(0).path("display_name").asString()).isEqualTo("Bob Builder");
            assertThat(users(s.call("POST", path, alice, Map.of("search_term", "b")).body()))
                    .contains(id("bob"), id("dave")).doesNotContain(id("carol"));
            assertThat(users(s.call("POST", path, alice, Map.of("search_term", "@dave")).body())).containsExactly(id("dave"));
            JsonNode limited = s.call("POST", path, alice, Map.of("search_term", "b", "limit", 1)).body();
            assertThat(limited.path("results").size()).isEqualTo(1);
            assertThat(limited.path("limited").asBoolean()).isTrue();

            // a new display name is found at once; a user who leaves every shared room is not
            s.rooms.state(shared, id("bob"), "m.room.member", id("bob"), Map.of("membership", "join", "displayname", "Robert"));
            assertThat(users(s.call("POST", path, alice, Map.of("search_term", "robert")).body())).containsExactly(id("bob"));
            s.rooms.leave(shared, id("bob"));
            assertThat(users(s.call("POST", path, alice, Map.of("search_term", "robert")).body())).isEmpty();
            assertThat(s.call("POST", path, alice, Map.of("limit", 3)).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.call("POST", path, alice, Map.of("search_term", "100%_")).body().path("results").size()).isZero();
        }
    }

    @DatabaseTest
    void canListEveryLocalUser(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config, new dev.myelin.syncapi.internal.SyncComponent.Settings(true, true))) {
            String alice = s.user("alice");
            s.user("zed");
            s.users.setProfileField("zed", "displayname", java.util.Optional.of(tools.jackson.databind.node.StringNode.valueOf("Zebra Zed")));
            String path = "/_matrix/client/v3/user_directory/search";
            JsonNode found = s.call("POST", path, alice, Map.of("search_term", "zebra")).body();
            assertThat(users(found)).containsExactly(id("zed"));
            assertThat(found.path("results").get(0).path("display_name").asString()).isEqualTo("Zebra Zed");
        }
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice2");
            s.user("zed2");
            assertThat(users(s.call("POST", "/_matrix/client/v3/user_directory/search", alice, Map.of("search_term", "zed2"))
                    .body())).isEmpty();
        }
    }
}
