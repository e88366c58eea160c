package dev.myelin.userapi.internal;

import dev.myelin.protocol.json.PropertyPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One user's push rules, compiled once and evaluated against many events
 * (https://spec.matrix.org/v1.19/client-server-api/#push-rules): the kinds in priority order (override, content,
 * room, sender, underride; array order within a kind), disabled rules skipped, the first matching rule's actions
 * decide. Pure code: the room facts an event needs ({@link RoomContext}) come from the caller. Immutable and
 * thread-safe, so a compiled ruleset can be cached per user.
 */
public final class PushRuleEvaluator {

    /**
     * What the conditions need to know about the room at the event.
     *
     * @param memberCount        joined members ({@code room_member_count})
     * @param ownerDisplayName   the rules' owner's display name in the room, or null ({@code contains_display_name})
     * @param senderPowerLevel   the sender's power level
     * @param notificationLevel  the power level needed for a notification kind ({@code room}: the power levels'
     *                           {@code notifications.room}, default 50)
     */
    public record RoomContext(long memberCount, String ownerDisplayName, long senderPowerLevel,
                              ToLongFunction<String> notificationLevel) {}

    /**
     * The decision for one event: which rule matched, and what its actions ask for ({@code dont_notify} and
     * {@code coalesce} stripped, as the spec says they must be ignored).
     */
    public record Outcome(String ruleId, String kind, boolean notifies, boolean highlight, Optional<String> sound,
                          ArrayNode actions) {}

    private sealed interface Condition {}

    private record EventMatch(List<String> path, Pattern pattern) implements Condition {}

    private record PropertyIs(List<String> path, JsonNode value) implements Condition {}

    private record PropertyContains(List<String> path, JsonNode value) implements Condition {}

    private record ContainsDisplayName() implements Condition {}

    private record RoomMemberCount(String op, long count) implements Condition {}

    private record SenderNotificationPermission(String key) implements Condition {}

    /** A condition this server does not know, or a malformed one: it never matches (the spec's rule). */
    private record NeverMatches() implements Condition {}

    private record Rule(String ruleId, String kind, List<Condition> conditions, Outcome outcome) {}

    private static final List<String> BODY = List.of("content", "body");
    private static final String WORD_CHAR = "[A-Za-z0-9_]";

    private final List<Rule> rules;

    private PushRuleEvaluator(List<Rule> rules) {
        this.rules = rules;
    }

    /** Compiles {@code ruleset} (the {@code global} object: kind → rules), keeping enabled rules in priority order. */
    public static PushRuleEvaluator compile(ObjectNode ruleset) {
        List<Rule> rules = new ArrayList<>();
        for (String kind : PushRules.KINDS) {
            if (!(ruleset.get(kind) instanceof ArrayNode array)) continue;
            for (JsonNode rule : array) {
                if (!rule.isObject() || !rule.path("enabled").asBoolean(true)) continue;
                String ruleId = rule.path("rule_id").asString("");
                List<Condition> conditions = switch (kind) {
                    case "override", "underride" -> {
                        List<Condition> cs = new ArrayList<>();
                        for (JsonNode c : rule.path("conditions")) cs.add(condition(c));
                        yield cs;
                    }
                    case "content" -> List.of(rule.path("pattern").isString()
                            ? new EventMatch(BODY, glob(rule.get("pattern").asString(), true)) : new NeverMatches());
                    case "room" -> List.of(new PropertyIs(List.of("room_id"), JsonNodeFactory.instance.stringNode(ruleId)));
                    case "sender" -> List.of(new PropertyIs(List.of("sender"), JsonNodeFactory.instance.stringNode(ruleId)));
                    default -> List.of(new NeverMatches());
                };
                rules.add(new Rule(ruleId, kind, List.copyOf(conditions), outcome(ruleId, kind, rule.path("actions"))));
            }
        }
        return new PushRuleEvaluator(List.copyOf(rules));
    }

    /** The first enabled rule matching {@code event} (client or federation format), or empty when none does. */
    public Optional<Outcome> evaluate(JsonNode event, RoomContext room) {
        for (Rule rule : rules) {
            boolean all = true;
            for (Condition c : rule.conditions) {
                if (!matches(c, event, room)) {
                    all = false;
                    break;
                }
            }
            if (all) return Optional.of(rule.outcome);
        }
        return Optional.empty();
    }

    private static boolean matches(Condition condition, JsonNode event, RoomContext room) {
        return switch (condition) {
            case EventMatch m -> property(event, m.path) instanceof JsonNode v && v.isString()
                    && (m.path.equals(BODY) ? m.pattern.matcher(v.asString()).find() : m.pattern.matcher(v.asString()).matches());
            case PropertyIs p -> property(event, p.path) instanceof JsonNode v && sameScalar(v, p.value);
            case PropertyContains p -> property(event, p.path) instanceof ArrayNode array && contains(array, p.value);
            case ContainsDisplayName d -> containsDisplayName(event, room.ownerDisplayName());
            case RoomMemberCount r -> switch (r.op) {
                case "==" -> room.memberCount() == r.count;
                case "<" -> room.memberCount() < r.count;
                case ">" -> room.memberCount() > r.count;
                case "<=" -> room.memberCount() <= r.count;
                case ">=" -> room.memberCount() >= r.count;
                default -> false;
            };
            case SenderNotificationPermission s -> room.senderPowerLevel() >= room.notificationLevel().applyAsLong(s.key);
            case NeverMatches n -> false;
        };
    }

    private static Condition condition(JsonNode c) {
        String kind = c.path("kind").asString("");
        return switch (kind) {
            case "event_match" -> c.path("key").isString() && c.path("pattern").isString()
                    ? eventMatch(path(c.get("key").asString()), c.get("pattern").asString()) : new NeverMatches();
            case "event_property_is" -> c.path("key").isString() && isScalar(c.get("value"))
                    ? new PropertyIs(path(c.get("key").asString()), c.get("value")) : new NeverMatches();
            case "event_property_contains" -> c.path("key").isString() && isScalar(c.get("value"))
                    ? new PropertyContains(path(c.get("key").asString()), c.get("value")) : new NeverMatches();
            case "contains_display_name" -> new ContainsDisplayName();
            case "room_member_count" -> memberCount(c.path("is").asString(null));
            case "sender_notification_permission" -> c.path("key").isString()
                    ? new SenderNotificationPermission(c.get("key").asString()) : new NeverMatches();
            default -> new NeverMatches();
        };
    }

    private static Condition eventMatch(List<String> path, String pattern) {
        // why: content.body is the one key matched on word boundaries inside the value, not against all of it
        return new EventMatch(path, glob(pattern, path.equals(BODY)));
    }

    private static Condition memberCount(String is) {
        if (is == null) return new NeverMatches();
        String op = "==";
        for (String prefix : List.of("==", "<=", ">=", "<", ">")) {
            if (is.startsWith(prefix)) {
                op = prefix;
                is = is.substring(prefix.length());
                break;
            }
        }
        if (is.isEmpty() || is.length() > 18 || !is.chars().allMatch(ch -> ch >= '0' && ch <= '9')) return new NeverMatches();
        return new RoomMemberCount(op, Long.parseLong(is));
    }

    private static Outcome outcome(String ruleId, String kind, JsonNode actions) {
        ArrayNode kept = JsonNodeFactory.instance.arrayNode();
        boolean notify = false;
        boolean highlight = false;
        Optional<String> sound = Optional.empty();
        for (JsonNode a : actions) {
            if (a.isString()) {
                String name = a.asString();
                if (name.equals("dont_notify") || name.equals("coalesce")) continue; // historical: ignored
                if (name.equals("notify")) notify = true;
            } else if (a.isObject() && a.path("set_tweak").isString()) {
                String tweak = a.get("set_tweak").asString();
                JsonNode value = a.get("value");
                if (tweak.equals("highlight")) highlight = value == null || (value.isBoolean() && value.asBoolean());
                if (tweak.equals("sound") && value != null && value.isString()) sound = Optional.of(value.asString());
            }
            kept.add(a);
        }
        return new Outcome(ruleId, kind, notify, highlight, sound, kept);
    }

    /**
     * A glob ({@code *} any run, {@code ?} one character) as a case-insensitive pattern: anchored to the whole
     * value, or, for {@code content.body}, to any substring that starts and ends at a word boundary.
     */
    static Pattern glob(String glob, boolean wordBoundaries) {
        StringBuilder re = new StringBuilder(wordBoundaries ? "(?<!" + WORD_CHAR + ")" : "");
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char ch = glob.charAt(i);
            if (ch == '*' || ch == '?') {
                if (!literal.isEmpty()) re.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                re.append(ch == '*' ? ".*?" : ".");
            } else {
                literal.append(ch);
            }
        }
        if (!literal.isEmpty()) re.append(Pattern.quote(literal.toString()));
        if (wordBoundaries) re.append("(?!" + WORD_CHAR + ")");
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }

    /** A condition's {@code key} split into property names. */
    static List<String> path(String key) {
        return List.copyOf(PropertyPath.split(key));
    }

    /** The value at {@code path}, or null when absent (a JSON null is returned as a null node). */
    private static JsonNode property(JsonNode event, List<String> path) {
        JsonNode node = event;
        for (String key : path) {
            if (!(node instanceof ObjectNode o)) return null;
            node = o.get(key);
            if (node == null) return null;
        }
        return node;
    }

    private static boolean isScalar(JsonNode v) {
        return v != null && (v.isString() || v.isBoolean() || v.isNull() || v.isIntegralNumber());
    }

    private static boolean sameScalar(JsonNode a, JsonNode b) {
        if (a.isString() && b.isString()) return a.asString().equals(b.asString());
        if (a.isBoolean() && b.isBoolean()) return a.asBoolean() == b.asBoolean();
        if (a.isNull() && b.isNull()) return true;
        // why: integers compare by value whatever width Jackson chose; floats are not canonical JSON values
        return a.isIntegralNumber() && b.isIntegralNumber() && a.bigIntegerValue().equals(b.bigIntegerValue());
    }

    private static boolean contains(ArrayNode array, JsonNode value) {
        for (JsonNode item : array) if (isScalar(item) && sameScalar(item, value)) return true;
        return false;
    }

    private static boolean containsDisplayName(JsonNode event, String displayName) {
        if (displayName == null || displayName.isBlank()) return false;
        JsonNode body = property(event, BODY);
        if (body == null || !body.isString()) return false;
        Pattern p = Pattern.compile("(?<!" + WORD_CHAR + ")" + Pattern.quote(displayName) + "(?!" + WORD_CHAR + ")",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        return p.matcher(body.asString()).find();
    }
}
