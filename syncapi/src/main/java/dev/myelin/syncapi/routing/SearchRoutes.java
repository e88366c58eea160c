package dev.myelin.syncapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.syncapi.internal.IgnoredUsers;
import dev.myelin.syncapi.internal.Search;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;

/** {@code POST /search}. */
public final class SearchRoutes {
    private SearchRoutes() {}

    /** @param readBarrier run before each search: waits until sync's index holds what the roomserver had stored */
    public static void add(Router router, Authenticator auth, UserApi users, Search search, Runnable readBarrier) {
        router.post("/_matrix/client/v3/search", call -> {
            Requester r = auth.require(call);
            readBarrier.run();
            return Reply.json(search.search(r.userId(), r.deviceId(), call.json(),
                    call.queryParam("next_batch").filter(s -> !s.isEmpty()), IgnoredUsers.of(users, r.userId())));
        });
    }
}
