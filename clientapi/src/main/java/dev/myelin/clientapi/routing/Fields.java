package dev.myelin.clientapi.routing;

import dev.myelin.platform.http.MatrixException;
import dev.myelin.userapi.api.Requester;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Typed reads of request-body fields with the spec's errors: a missing required field is 400
 * {@code M_MISSING_PARAM}, a field of the wrong type 400 {@code M_BAD_JSON}. {@code null} counts as absent.
 */
final class Fields {
    private Fields() {}

    static Optional<String> optionalString(ObjectNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) return Optional.empty();
        if (!node.isString()) throw MatrixException.badJson("'" + name + "' must be a string");
        return Optional.of(node.asString());
    }

    static String string(ObjectNode body, String name) {
        return optionalString(body, name).orElseThrow(() -> MatrixException.missingParam("'" + name + "' is required"));
    }

    static Optional<Boolean> optionalBoolean(ObjectNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) return Optional.empty();
        if (!node.isBoolean()) throw MatrixException.badJson("'" + name + "' must be true or false");
        return Optional.of(node.asBoolean());
    }

    static Optional<ObjectNode> optionalObject(ObjectNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) return Optional.empty();
        if (!(node instanceof ObjectNode object)) throw MatrixException.badJson("'" + name + "' must be an object");
        return Optional.of(object);
    }

    /** 403 unless the path's user ID is the requester's own. */
    static void requireSelf(Requester requester, String userId) {
        if (!requester.userId().equals(userId)) {
            throw MatrixException.forbidden("You may only do this for your own account");
        }
    }
}
