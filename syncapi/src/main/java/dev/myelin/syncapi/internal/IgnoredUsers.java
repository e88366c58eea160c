package dev.myelin.syncapi.internal;

import dev.myelin.userapi.api.UserApi;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * A user's {@code m.ignored_user_list} (https://spec.matrix.org/v1.19/client-server-api/#ignoring-users): the
 * senders whose messages (not state) sync and history hide, and whose invites sync drops.
 */
public final class IgnoredUsers {
    private IgnoredUsers() {}

    public static Set<String> of(UserApi users, String userId) {
        return users.accountData(localpart(userId), Optional.empty(), "m.ignored_user_list")
                .map(doc -> doc.get("ignored_users") instanceof ObjectNode o ? Set.copyOf(o.propertyNames()) : Set.<String>of())
                .orElse(Set.of());
    }

    static String localpart(String userId) {
        int colon = userId.indexOf(':');
        return userId.substring(1, colon < 0 ? userId.length() : colon);
    }
}
