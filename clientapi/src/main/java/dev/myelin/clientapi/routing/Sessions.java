package dev.myelin.clientapi.routing;

import dev.myelin.platform.http.HttpCall;
import dev.myelin.userapi.api.LoginResult;
import dev.myelin.userapi.api.UserApi;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * Starts a logged-in session for registration and login alike: reads {@code device_id},
 * {@code initial_device_display_name} and {@code refresh_token} from the request and renders the response fields
 * both endpoints share.
 */
final class Sessions {
    private final UserApi users;

    Sessions(UserApi users) {
        this.users = users;
    }

    Map<String, Object> start(HttpCall call, String localpart, ObjectNode body) {
        LoginResult result = users.login(localpart,
                Fields.optionalString(body, "device_id").filter(d -> !d.isEmpty()),
                Fields.optionalString(body, "initial_device_display_name"),
                Fields.optionalBoolean(body, "refresh_token").orElse(false),
                call.remoteAddress(), call.header("User-Agent"));
        return render(result);
    }

    static Map<String, Object> render(LoginResult result) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user_id", result.userId());
        out.put("access_token", result.accessToken());
        out.put("device_id", result.deviceId());
        result.refreshToken().ifPresent(t -> out.put("refresh_token", t));
        result.expiresInMs().ifPresent(ms -> out.put("expires_in_ms", ms));
        return out;
    }
}
