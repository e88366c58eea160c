package dev.myelin.syncapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.syncapi.internal.History;
import dev.myelin.syncapi.internal.IgnoredUsers;
import dev.myelin.userapi.api.UserApi;
import dev.myelin.syncapi.internal.Relations;
import dev.myelin.syncapi.internal.SyncFilter;
import dev.myelin.syncapi.internal.SyncToken;
import dev.myelin.userapi.api.Requester;
import java.util.Optional;

/**
 * Room history: {@code /messages}, {@code /context/{eventId}}, {@code /relations/{eventId}[/{relType}[/{eventType}]]}
 * and {@code /threads}.
 */
public final class HistoryRoutes {
    private static final String ROOM = "/_matrix/client/v3/rooms/{roomId}";

    private final Authenticator auth;
    private final History history;

    private final Relations relations;

    private final UserApi users;

    private final Runnable readBarrier;

    private final java.util.function.BiPredicate<String, String> forgotten;

    private HistoryRoutes(Authenticator auth, UserApi users, History history, Relations relations, Runnable readBarrier,
                          java.util.function.BiPredicate<String, String> forgotten) {
        this.auth = auth;
        this.forgotten = forgotten;
        this.readBarrier = readBarrier;
        this.users = users;
        this.history = history;
        this.relations = relations;
    }

    /**
     * @param readBarrier run before each read: waits until sync's index holds what the roomserver had stored, so a
     *                    client reads its own writes
     * @param forgotten   whether a user (first) has forgotten a room (second)
     */
    public static void add(Router router, Authenticator auth, UserApi users, History history, Relations relations,
                           Runnable readBarrier, java.util.function.BiPredicate<String, String> forgotten) {
        HistoryRoutes routes = new HistoryRoutes(auth, users, history, relations, readBarrier, forgotten);
        router.get(ROOM + "/messages", routes::messages);
        router.get(ROOM + "/context/{eventId}", routes::context);
        String v1 = "/_matrix/client/v1/rooms/{roomId}";
        router.get(v1 + "/relations/{eventId}", call -> routes.relations(call, Optional.empty(), Optional.empty()));
        router.get(v1 + "/relations/{eventId}/{relType}",
                call -> routes.relations(call, Optional.of(call.pathParam("relType")), Optional.empty()));
        router.get(v1 + "/relations/{eventId}/{relType}/{eventType}", call -> routes.relations(call,
                Optional.of(call.pathParam("relType")), Optional.of(call.pathParam("eventType"))));
        router.get(v1 + "/threads", routes::threads);
    }

    /**
     * The requester, once sync's index holds their writes and the room is theirs to read: after
     * {@code POST /forget} a user can no longer retrieve the room's history (spec: forgetRoom).
     */
    private Requester readable(HttpCall call) {
        Requester r = auth.requireAllowingGuests(call);
        if (forgotten.test(r.userId(), call.pathParam("roomId"))) {
            throw MatrixException.forbidden("You have forgotten this room");
        }
        readBarrier.run();
        return r;
    }

    private Reply relations(HttpCall call, Optional<String> relType, Optional<String> eventType) {
        Requester r = readable(call);
        String dir = call.queryParam("dir").orElse("b");
        if (!dir.equals("b") && !dir.equals("f")) throw MatrixException.invalidParam("dir must be b or f");
        boolean recurse = call.queryParam("recurse").map(v -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw MatrixException.invalidParam("recurse must be true or false");
        }).orElse(false);
        Optional<Long> from = call.queryParam("from").filter(s -> !s.isEmpty()).map(SyncToken::parseBoundary);
        Optional<Long> to = call.queryParam("to").filter(s -> !s.isEmpty()).map(SyncToken::parseBoundary);
        return Reply.json(relations.relations(new Relations.Request(r.userId(), r.deviceId(), call.pathParam("roomId"),
                call.pathParam("eventId"), relType, eventType, from, to, Params.intParam(call, "limit", 50),
                dir.equals("b"), recurse)));
    }

    private Reply threads(HttpCall call) {
        Requester r = readable(call);
        String include = call.queryParam("include").orElse("all");
        if (!include.equals("all") && !include.equals("participated")) {
            throw MatrixException.invalidParam("include must be all or participated");
        }
        Optional<Long> from = call.queryParam("from").filter(s -> !s.isEmpty()).map(SyncToken::parseBoundary);
        return Reply.json(relations.threads(new Relations.ThreadsRequest(r.userId(), r.deviceId(), call.pathParam("roomId"),
                include.equals("participated"), from, Params.intParam(call, "limit", 50))));
    }

    private Reply messages(HttpCall call) {
        Requester r = readable(call);
        String dir = call.queryParam("dir").orElseThrow(() -> MatrixException.missingParam("dir is required"));
        if (!dir.equals("b") && !dir.equals("f")) throw MatrixException.invalidParam("dir must be b or f");
        Optional<Long> from = call.queryParam("from").filter(s -> !s.isEmpty()).map(SyncToken::parseBoundary);
        Optional<Long> to = call.queryParam("to").filter(s -> !s.isEmpty()).map(SyncToken::parseBoundary);
        int limit = Params.intParam(call, "limit", 10);
        SyncFilter filter = Params.filter(call);
        return Reply.json(history.messages(new History.MessagesRequest(r.userId(), r.deviceId(), call.pathParam("roomId"),
                from, to, dir.equals("b"), limit, filter.room().timeline(), filter.eventFields(),
                IgnoredUsers.of(users, r.userId()))));
    }

    private Reply context(HttpCall call) {
        Requester r = readable(call);
        int limit = Params.intParam(call, "limit", 10);
        SyncFilter filter = Params.filter(call);
        return Reply.json(history.context(new History.ContextRequest(r.userId(), r.deviceId(), call.pathParam("roomId"),
                call.pathParam("eventId"), limit, filter.room().timeline(), filter.eventFields(),
                IgnoredUsers.of(users, r.userId()))));
    }
}
