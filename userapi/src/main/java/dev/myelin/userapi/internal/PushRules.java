package dev.myelin.userapi.internal;

import dev.myelin.platform.http.MatrixException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A user's push rules (https://spec.matrix.org/v1.19/client-server-api/#push-rules): the spec's server-default
 * rules (from {@code default_push_rules.json}) merged with the user's own rules and changes, and the edits the
 * {@code /pushrules} API makes. The document is the content of the {@code m.push_rules} account data, so sync
 * delivers it like any other account data. Within a kind, array order is priority order.
 */
public final class PushRules {
    /** The rule kinds, from most to least important. */
    public static final List<String> KINDS = List.of("override", "content", "room", "sender", "underride");

    private static final ObjectNode DEFAULTS = loadDefaults();

    private PushRules() {}

    private static ObjectNode loadDefaults() {
        try (InputStream in = PushRules.class.getResourceAsStream("default_push_rules.json")) {
            if (in == null) throw new IllegalStateException("default_push_rules.json is missing from the jar");
            ObjectNode node = (ObjectNode) Json.MAPPER.readTree(in);
            node.remove("_comment");
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The spec's default ruleset for {@code userId}. */
    public static ObjectNode defaults(String userId) {
        String text = Json.MAPPER.writeValueAsString(DEFAULTS).replace("USER_ID", userId);
        return (ObjectNode) Json.MAPPER.readTree(text);
    }

    /**
     * The full ruleset: {@code stored} (may be empty) with every default rule it lacks put in its place — master
     * first, other server-default overrides after the user's overrides, default underrides after the user's.
     */
    public static ObjectNode merged(String userId, Optional<ObjectNode> stored) {
        ObjectNode defaults = defaults(userId);
        if (stored.isEmpty()) return defaults;
        ObjectNode out = Json.MAPPER.createObjectNode();
        for (String kind : KINDS) {
            ArrayNode have = stored.get().get(kind) instanceof ArrayNode a ? a.deepCopy() : Json.MAPPER.createArrayNode();
            for (JsonNode rule : defaults.get(kind)) {
                String id = rule.get("rule_id").asString();
                if (indexOf(have, id) >= 0) continue;
                if (id.equals(".m.rule.master")) have.insert(0, rule);
                else have.add(rule);
            }
            out.set(kind, have);
        }
        return out;
    }

    /** The rule, or 404 M_NOT_FOUND. */
    public static ObjectNode rule(ObjectNode ruleset, String kind, String ruleId) {
        ArrayNode rules = rulesOf(ruleset, kind);
        int i = indexOf(rules, ruleId);
        if (i < 0) throw notFound();
        return (ObjectNode) rules.get(i);
    }

    /** Adds or replaces a user-defined rule ({@code PUT /pushrules/global/{kind}/{ruleId}}). */
    public static void put(ObjectNode ruleset, String kind, String ruleId, ObjectNode body, Optional<String> before,
            Optional<String> after) {
        ArrayNode rules = rulesOf(ruleset, kind);
        if (ruleId.startsWith(".")) throw MatrixException.invalidParam("Rule IDs starting with '.' are reserved for server-default rules");
        if (ruleId.isEmpty() || ruleId.contains("/") || ruleId.contains("\\")) {
            throw MatrixException.invalidParam("A rule ID must not be empty nor contain '/' or '\\'");
        }
        if (!(body.get("actions") instanceof ArrayNode actions)) throw MatrixException.missingParam("'actions' is required and must be a list");
        checkActions(actions);
        ObjectNode rule = Json.MAPPER.createObjectNode();
        rule.put("rule_id", ruleId);
        rule.put("default", false);
        rule.put("enabled", true);
        rule.set("actions", actions);
        switch (kind) {
            case "override", "underride" -> {
                JsonNode conditions = body.get("conditions");
                if (conditions != null && !conditions.isNull() && !conditions.isArray()) throw MatrixException.badJson("'conditions' must be a list");
                rule.set("conditions", conditions == null || conditions.isNull() ? Json.MAPPER.createArrayNode() : conditions);
            }
            case "content" -> {
                if (!(body.get("pattern") instanceof JsonNode p) || !p.isString()) throw MatrixException.missingParam("A content rule needs a 'pattern' string");
                rule.set("pattern", body.get("pattern"));
            }
            default -> { } // room and sender rules are keyed by their rule ID alone
        }
        int existing = indexOf(rules, ruleId);
        if (existing >= 0) {
            rule.put("enabled", rules.get(existing).path("enabled").asBoolean(true));
            rules.remove(existing);
        }
        int position;
        if (before.isPresent() || after.isPresent()) {
            String anchor = before.orElseGet(after::get);
            int at = indexOf(rules, anchor);
            if (at < 0 || anchor.startsWith(".")) {
                throw new MatrixException("M_UNKNOWN", "before/after rule not found: " + anchor, 400);
            }
            position = before.isPresent() ? at : at + 1;
        } else if (existing >= 0) {
            position = existing;
        } else {
            position = firstUserRuleIndex(rules);
        }
        rules.insert(position, rule);
    }

    /** Deletes a user-defined rule; server-default rules cannot be deleted. */
    public static void delete(ObjectNode ruleset, String kind, String ruleId) {
        ArrayNode rules = rulesOf(ruleset, kind);
        int i = indexOf(rules, ruleId);
        if (i < 0) throw notFound();
        if (ruleId.startsWith(".")) throw MatrixException.forbidden("Server-default push rules cannot be deleted");
        rules.remove(i);
    }

    public static void setEnabled(ObjectNode ruleset, String kind, String ruleId, boolean enabled) {
        rule(ruleset, kind, ruleId).put("enabled", enabled);
    }

    public static void setActions(ObjectNode ruleset, String kind, String ruleId, ArrayNode actions) {
        ObjectNode rule = rule(ruleset, kind, ruleId);
        checkActions(actions);
        rule.set("actions", actions);
    }

    private static void checkActions(ArrayNode actions) {
        for (JsonNode action : actions) {
            if (!action.isString() && !action.isObject()) throw MatrixException.badJson("Each action must be a string or an object");
        }
    }

    private static int firstUserRuleIndex(ArrayNode rules) {
        // why: user-defined rules outrank server-default ones, except .m.rule.master which outranks everything
        int i = 0;
        while (i < rules.size() && rules.get(i).path("rule_id").asString("").equals(".m.rule.master")) i++;
        return i;
    }

    private static ArrayNode rulesOf(ObjectNode ruleset, String kind) {
        if (!KINDS.contains(kind)) throw MatrixException.invalidParam("Unknown push rule kind: " + kind);
        if (!(ruleset.get(kind) instanceof ArrayNode rules)) {
            ArrayNode fresh = Json.MAPPER.createArrayNode();
            ruleset.set(kind, fresh);
            return fresh;
        }
        return rules;
    }

    private static int indexOf(ArrayNode rules, String ruleId) {
        for (int i = 0; i < rules.size(); i++) {
            if (ruleId.equals(rules.get(i).path("rule_id").asString(null))) return i;
        }
        return -1;
    }

    private static MatrixException notFound() {
        return MatrixException.notFound("The push rule was not found.");
    }
}
