package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The push rules API (https://spec.matrix.org/v1.19/client-server-api/#push-rules-api): read the ruleset, add,
 * change and delete rules, and switch them on or off or change their actions. Evaluating rules is elsewhere.
 */
final class PushRulesRoutes {
    private static final String RULE = "/_matrix/client/v3/pushrules/global/{kind}/{ruleId}";

    private final UserApi users;
    private final Authenticator auth;

    PushRulesRoutes(UserApi users, Authenticator auth) {
        this.users = users;
        this.auth = auth;
    }

    void addTo(Router router) {
        router.get("/_matrix/client/v3/pushrules/", call -> Reply.json(Map.of("global", rules(call))));
        router.get("/_matrix/client/v3/pushrules/global/", call -> Reply.json(rules(call)));
        router.get(RULE, call -> Reply.json(users.pushRule(reader(call).localpart(), kind(call), ruleId(call))));
        router.put(RULE, call -> {
            Requester r = auth.require(call);
            users.putPushRule(r.localpart(), kind(call), ruleId(call), call.json(), call.queryParam("before"),
                    call.queryParam("after"));
            return Reply.empty();
        });
        router.delete(RULE, call -> {
            users.deletePushRule(auth.require(call).localpart(), kind(call), ruleId(call));
            return Reply.empty();
        });
        router.get(RULE + "/enabled", call -> Reply.json(Map.of("enabled",
                users.pushRule(reader(call).localpart(), kind(call), ruleId(call)).path("enabled").asBoolean(true))));
        router.put(RULE + "/enabled", call -> {
            Requester r = auth.require(call);
            boolean enabled = Fields.optionalBoolean(call.json(), "enabled")
                    .orElseThrow(() -> MatrixException.missingParam("'enabled' is required"));
            users.setPushRuleEnabled(r.localpart(), kind(call), ruleId(call), enabled);
            return Reply.empty();
        });
        router.get(RULE + "/actions", call -> Reply.json(Map.of("actions",
                users.pushRule(reader(call).localpart(), kind(call), ruleId(call)).get("actions"))));
        router.put(RULE + "/actions", call -> {
            Requester r = auth.require(call);
            JsonNode actions = call.json().get("actions");
            if (actions == null || actions.isNull()) throw MatrixException.missingParam("'actions' is required");
            if (!(actions instanceof ArrayNode list)) throw MatrixException.badJson("'actions' must be a list");
            users.setPushRuleActions(r.localpart(), kind(call), ruleId(call), list);
            return Reply.empty();
        });
    }

    private Requester reader(HttpCall call) {
        return auth.requireAllowingGuests(call);
    }

    private static String kind(HttpCall call) { return call.pathParam("kind"); }

    private static String ruleId(HttpCall call) { return call.pathParam("ruleId"); }

    private ObjectNode rules(HttpCall call) {
        return users.pushRules(reader(call).localpart());
    }
}
