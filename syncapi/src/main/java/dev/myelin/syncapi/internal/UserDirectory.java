package dev.myelin.syncapi.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.syncapi.storage.StateTables;
import dev.myelin.userapi.api.UserApi;
import dev.myelin.userapi.api.UserProfile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /user_directory/search} (https://spec.matrix.org/v1.19/client-server-api/#user-directory): users
 * who share a room with the searcher or are joined to a public room, matched on user ID and display name, from
 * the current-state index (kept current by every membership and profile change, which the roomserver turns into
 * member events). Configurable to list every local user as well (their profiles from the userapi).
 */
public final class UserDirectory {
    private final Database db;
    private final UserApi users;
    private final boolean allLocalUsers;

    /** @param allLocalUsers also list every local user, whether or not they share a room with the searcher */
    public UserDirectory(Database db, UserApi users, boolean allLocalUsers) {
        this.db = db;
        this.users = users;
        this.allLocalUsers = allLocalUsers;
    }

    public ObjectNode search(String searcher, String term, int limit) {
        String needle = term.toLowerCase(Locale.ROOT).trim();
        // why: a user joined to several rooms comes once per room; read a few more rows than asked
        List<StateTables.DirectoryUser> rows = db.read(c -> StateTables.searchDirectory(c, searcher, needle, limit * 4 + 1));
        Map<String, StateTables.DirectoryUser> found = new LinkedHashMap<>();
        for (StateTables.DirectoryUser u : rows) {
            found.merge(u.userId(), u, (a, b) -> a.displayName() != null ? a : b);
        }
        boolean more = rows.size() > limit * 4;
        if (allLocalUsers) {
            List<UserProfile> local = users.searchLocalUsers(needle, limit + 1);
            more |= local.size() > limit;
            for (UserProfile p : local) {
                found.putIfAbsent(p.userId(), new StateTables.DirectoryUser(p.userId(), p.displayName(), p.avatarUrl()));
            }
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode results = out.putArray("results");
        for (StateTables.DirectoryUser u : found.values()) {
            if (results.size() == limit) break;
            ObjectNode r = results.addObject();
            r.put("user_id", u.userId());
            if (u.displayName() != null) r.put("display_name", u.displayName());
            if (u.avatarUrl() != null) r.put("avatar_url", u.avatarUrl());
        }
        out.put("limited", found.size() > limit || more);
        return out;
    }
}
