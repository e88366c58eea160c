package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.clientapi.auth.UserInteractiveAuth;
import dev.myelin.clientapi.auth.UserInteractiveAuth.Flow;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.userapi.api.Device;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Device management (https://spec.matrix.org/v1.19/client-server-api/#device-management): list, get, rename, delete. */
final class DeviceRoutes {
    private final UserApi users;
    private final Authenticator auth;
    private final UserInteractiveAuth uia;
    private final RateLimiter limiter;

    DeviceRoutes(UserApi users, Authenticator auth, UserInteractiveAuth uia, RateLimiter limiter) {
        this.users = users;
        this.auth = auth;
        this.uia = uia;
        this.limiter = limiter;
    }

    void addTo(Router router) {
        router.get("/_matrix/client/v3/devices", call -> {
            Requester r = auth.requireAllowingGuests(call);
            return Reply.json(Map.of("devices", users.devices(r.localpart()).stream().map(DeviceRoutes::render).toList()));
        });
        router.get("/_matrix/client/v3/devices/{deviceId}", call -> {
            Requester r = auth.requireAllowingGuests(call);
            return Reply.json(render(users.device(r.localpart(), call.pathParam("deviceId")).orElseThrow(DeviceRoutes::notFound)));
        });
        router.put("/_matrix/client/v3/devices/{deviceId}", call -> {
            Requester r = auth.requireAllowingGuests(call);
            ObjectNode body = call.json();
            String deviceId = call.pathParam("deviceId");
            if (!body.has("display_name")) { // spec: without display_name the name is unchanged
                if (users.device(r.localpart(), deviceId).isEmpty()) throw notFound();
                return Reply.empty();
            }
            if (!users.renameDevice(r.localpart(), deviceId, Fields.optionalString(body, "display_name"))) throw notFound();
            return Reply.empty();
        });
        router.delete("/_matrix/client/v3/devices/{deviceId}", call -> {
            Requester r = auth.require(call);
            String deviceId = call.pathParam("deviceId");
            if (users.device(r.localpart(), deviceId).isEmpty()) throw notFound();
            return deleteAfterAuth(call, r, List.of(deviceId));
        });
        router.post("/_matrix/client/v3/delete_devices", call -> {
            Requester r = auth.require(call);
            JsonNode list = call.json().get("devices");
            if (list == null || list.isNull()) throw MatrixException.missingParam("'devices' is required");
            if (!list.isArray()) throw MatrixException.badJson("'devices' must be a list of device IDs");
            List<String> ids = new ArrayList<>();
            for (JsonNode id : list) {
                if (!id.isString()) throw MatrixException.badJson("'devices' must be a list of device IDs");
                ids.add(id.asString());
            }
            return deleteAfterAuth(call, r, ids);
        });
    }

    private Reply deleteAfterAuth(HttpCall call, Requester r, List<String> deviceIds) {
        var outcome = uia.authenticate(call.json(), call.method() + " " + call.template() + " " + r.userId() + " " + deviceIds,
                java.util.Optional.of(r.userId()), List.of(Flow.of(AuthStages.PASSWORD)), Map.of(),
                AuthStages.password(users, limiter, r));
        if (outcome instanceof UserInteractiveAuth.Challenge challenge) return challenge.reply();
        for (String id : deviceIds) users.deleteDevice(r.localpart(), id);
        return Reply.empty();
    }

    private static Map<String, Object> render(Device d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("device_id", d.deviceId());
        d.displayName().ifPresent(n -> out.put("display_name", n));
        d.lastSeenIp().ifPresent(ip -> out.put("last_seen_ip", ip));
        d.lastSeenTs().ifPresent(ts -> out.put("last_seen_ts", ts));
        return out;
    }

    private static MatrixException notFound() {
        return MatrixException.notFound("No such device");
    }
}
