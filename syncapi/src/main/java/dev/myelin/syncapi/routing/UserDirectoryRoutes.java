package dev.myelin.syncapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.syncapi.internal.UserDirectory;
import dev.myelin.userapi.api.Requester;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code POST /user_directory/search}. */
public final class UserDirectoryRoutes {
    private UserDirectoryRoutes() {}

    public static void add(Router router, Authenticator auth, UserDirectory directory) {
        router.post("/_matrix/client/v3/user_directory/search", call -> search(call, auth, directory));
    }

    private static Reply search(HttpCall call, Authenticator auth, UserDirectory directory) {
        Requester r = auth.require(call);
        ObjectNode body = call.json();
        JsonNode term = body.get("search_term");
        if (term == null || !term.isString()) throw MatrixException.badJson("search_term must be a string");
        int limit = 10;
        JsonNode l = body.get("limit");
        if (l != null && !l.isNull()) {
            if (!l.isIntegralNumber() || !l.canConvertToInt() || l.intValue() < 0) throw MatrixException.badJson("limit must be a non-negative integer");
            limit = Math.min(l.intValue(), 1000);
        }
        return Reply.json(directory.search(r.userId(), term.stringValue(), limit));
    }
}
