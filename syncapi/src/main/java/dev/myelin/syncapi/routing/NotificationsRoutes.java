package dev.myelin.syncapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.syncapi.internal.EventRenderer;
import dev.myelin.userapi.api.Notification;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /notifications} (https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3notifications): the
 * events the user's push rules notified them about, newest first. Userapi holds the notifications; sync renders
 * the events as it does for every other client read.
 */
public final class NotificationsRoutes {
    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;

    private NotificationsRoutes() {}

    public static void add(Router router, Authenticator auth, UserApi users, EventRenderer renderer) {
        router.get("/_matrix/client/v3/notifications", call -> notifications(call, auth, users, renderer));
    }

    private static Reply notifications(HttpCall call, Authenticator auth, UserApi users, EventRenderer renderer) {
        Requester r = auth.require(call);
        Optional<Long> from = call.queryParam("from").map(NotificationsRoutes::token);
        int limit = Math.min(Math.max(Params.intParam(call, "limit", DEFAULT_LIMIT), 1), MAX_LIMIT);
        boolean onlyHighlights = call.queryParam("only").map(o -> o.equals("highlight")).orElse(false);
        List<Notification> page = users.notifications(r.localpart(), from, limit, onlyHighlights);
        EventRenderer.Viewer viewer = new EventRenderer.Viewer(r.userId(), r.deviceId(), List.of());
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode out = body.putArray("notifications");
        for (Notification n : page) {
            renderer.render(viewer, n.eventNid(), null).ifPresent(event -> {
                ObjectNode o = out.addObject();
                o.set("actions", n.actions());
                o.set("event", event);
                o.put("read", n.read());
                o.put("room_id", n.roomId());
                o.put("ts", n.ts());
            });
        }
        if (page.size() == limit) body.put("next_token", Long.toString(page.get(page.size() - 1).id()));
        return Reply.json(body);
    }

    private static long token(String from) {
        try {
            long id = Long.parseLong(from);
            if (id < 0) throw new NumberFormatException();
            return id;
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("Unknown or malformed 'from' token");
        }
    }
}
