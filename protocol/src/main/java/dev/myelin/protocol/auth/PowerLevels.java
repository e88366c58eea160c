package dev.myelin.protocol.auth;

import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersion;
import java.math.BigInteger;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The power levels of a room as the auth rules read them: an {@code m.room.power_levels} content parsed for one
 * room version (strings before v10, floats before v6), with the spec's defaults, plus the room's creators (who
 * have 100 when there is no power levels event, and from v12 unlimited power).
 * See the spec's {@code m.room.power_levels} and the "Authorisation rules" of each room version.
 */
public final class PowerLevels {

    /** The power of a room creator from room version 12: higher than any value a power levels event can hold. */
    public static final long INFINITE = Long.MAX_VALUE;

    public static final String USERS_DEFAULT = "users_default";
    public static final String EVENTS_DEFAULT = "events_default";
    public static final String STATE_DEFAULT = "state_default";
    public static final String BAN = "ban";
    public static final String KICK = "kick";
    public static final String REDACT = "redact";
    public static final String INVITE = "invite";
    /** The top-level integer properties the auth rules compare, in the spec's order. */
    public static final java.util.List<String> LEVEL_KEYS =
            java.util.List.of(USERS_DEFAULT, EVENTS_DEFAULT, STATE_DEFAULT, BAN, REDACT, KICK, INVITE);

    // why: the stringy-power-levels fragment allows leading/trailing whitespace, one sign and leading zeroes
    private static final Pattern STRING_INTEGER = Pattern.compile("\\s*[+-]?[0-9]+\\s*");
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final boolean hasEvent;
    private final Set<String> creators;
    private final boolean creatorsUnlimited;
    private final Map<String, Long> levels;
    private final Map<String, Long> users;
    private final Map<String, Long> events;
    private final Map<String, Long> notifications;

    private PowerLevels(boolean hasEvent, Set<String> creators, boolean creatorsUnlimited, Map<String, Long> levels,
            Map<String, Long> users, Map<String, Long> events, Map<String, Long> notifications) {
        this.hasEvent = hasEvent;
        this.creators = creators;
        this.creatorsUnlimited = creatorsUnlimited;
        this.levels = levels;
        this.users = users;
        this.events = events;
        this.notifications = notifications;
    }

    /**
     * The power levels given by a power levels event (or none) and the create event (or none) of a room. Values
     * that do not parse as a power level in this room version are treated as absent (the auth rules reject such
     * events; this is for reading state that is already accepted).
     */
    public static PowerLevels of(RoomVersion version, Pdu powerLevelsEvent, Pdu createEvent) {
        Set<String> creators = creators(version, createEvent);
        if (powerLevelsEvent == null) {
            return new PowerLevels(false, creators, version.privilegedCreators(), Map.of(), Map.of(), Map.of(), Map.of());
        }
        return fromContent(version, powerLevelsEvent.content(), creators);
    }

    /** The power levels of a content object alone (no creators), e.g. to compare an old and a new event. */
    public static PowerLevels ofContent(RoomVersion version, ObjectNode content) {
        return fromContent(version, content, Set.of());
    }

    private static PowerLevels fromContent(RoomVersion version, ObjectNode content, Set<String> creators) {
        var levels = new HashMap<String, Long>();
        for (String key : LEVEL_KEYS) {
            Long v = parseLevel(version, content.get(key));
            if (v != null) levels.put(key, v);
        }
        return new PowerLevels(true, creators, version.privilegedCreators(), levels,
                levelMap(version, content.get("users")), levelMap(version, content.get("events")),
                levelMap(version, content.get("notifications")));
    }

    /**
     * The room's creators: before v11 {@code content.creator}, from v11 the create event's sender, from v12 also
     * {@code content.additional_creators}. Empty without a create event.
     */
    public static Set<String> creators(RoomVersion version, Pdu createEvent) {
        if (createEvent == null) return Set.of();
        var out = new LinkedHashSet<String>();
        if (version.creatorFromSender()) {
            out.add(createEvent.sender());
        } else {
            JsonNode creator = createEvent.content().get("creator");
            if (creator != null && creator.isString()) out.add(creator.stringValue());
        }
        if (version.privilegedCreators()) {
            JsonNode extra = createEvent.content().get("additional_creators");
            if (extra != null && extra.isArray()) {
                for (JsonNode n : extra) {
                    if (n.isString()) out.add(n.stringValue());
                }
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /**
     * A power level value as this room version reads it, or {@code null} when it is not one: an integer; before
     * v10 also a string holding an integer; before v6 also a finite float, truncated.
     */
    public static Long parseLevel(RoomVersion version, JsonNode node) {
        if (node == null) return null;
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? node.longValue() : null;
        }
        if (node.isFloatingPointNumber()) {
            if (version.strictCanonicalJson() || version.integerPowerLevels()) return null;
            double d = node.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) return null;
            if (d >= 0x1p63 || d < -0x1p63) return null;
            return (long) d; // why: the floaty-power-levels fragment truncates at the decimal point
        }
        if (node.isString() && !version.integerPowerLevels()) {
            String s = node.stringValue();
            if (!STRING_INTEGER.matcher(s).matches()) return null;
            BigInteger b = new BigInteger(s.strip());
            if (b.compareTo(LONG_MIN) < 0 || b.compareTo(LONG_MAX) > 0) return null;
            return b.longValue();
        }
        return null;
    }

    private static Map<String, Long> levelMap(RoomVersion version, JsonNode node) {
        if (!(node instanceof ObjectNode obj)) return Map.of();
        var out = new HashMap<String, Long>();
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            Long v = parseLevel(version, e.getValue());
            if (v != null) out.put(e.getKey(), v);
        }
        return out;
    }

    /** Whether there is a power levels event (else every value is a default). */
    public boolean hasEvent() {
        return hasEvent;
    }

    public Set<String> creators() {
        return creators;
    }

    /** The power level of a user: unlimited for a v12 creator, else {@code users}, else 100 for the creator when there is no power levels event, else {@code users_default}. */
    public long userLevel(String userId) {
        if (creatorsUnlimited && creators.contains(userId)) return INFINITE;
        if (!hasEvent) return creators.contains(userId) ? 100 : 0;
        Long v = users.get(userId);
        return v != null ? v : level(USERS_DEFAULT);
    }

    /** The level needed to send an event of this type: {@code events[type]}, else {@code state_default} or {@code events_default}. */
    public long eventLevel(String type, boolean isState) {
        Long v = events.get(type);
        if (v != null) return v;
        return isState ? level(STATE_DEFAULT) : level(EVENTS_DEFAULT);
    }

    /** A top-level level with its default: 50 for state_default, ban, kick and redact; 0 for the others. */
    public long level(String key) {
        Long v = levels.get(key);
        if (v != null) return v;
        return switch (key) {
            case STATE_DEFAULT, BAN, KICK, REDACT -> 50;
            default -> 0;
        };
    }

    public long ban() {
        return level(BAN);
    }

    public long kick() {
        return level(KICK);
    }

    public long redact() {
        return level(REDACT);
    }

    public long invite() {
        return level(INVITE);
    }

    /** The level needed for a notification kind, e.g. {@code room} (default 50). */
    public long notificationLevel(String key) {
        Long v = notifications.get(key);
        return v != null ? v : 50;
    }

    /** The explicit top-level value, or {@code null} when the content does not set it. */
    Long explicitLevel(String key) {
        return levels.get(key);
    }

    Map<String, Long> users() {
        return users;
    }

    Map<String, Long> events() {
        return events;
    }

    Map<String, Long> notifications() {
        return notifications;
    }
}
