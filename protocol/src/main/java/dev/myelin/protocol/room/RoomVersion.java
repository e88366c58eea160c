package dev.myelin.protocol.room;

/**
 * Everything that differs between room versions, as one record per version (see {@link RoomVersions}). Code asks
 * a version what it does ({@code version.knockJoinRule()}) instead of comparing version strings.
 *
 * @param id                            the version string, "1" to "12"
 * @param eventFormat                   how events are shaped on the wire
 * @param eventIdFormat                 how event IDs are made
 * @param stateResolution               the state resolution algorithm
 * @param redaction                     the redaction algorithm
 * @param enforceKeyValidity            v5+: a signature counts only if the key was valid at the event's time
 * @param specialCaseAliasesAuth        v1–5: {@code m.room.aliases} has its own auth rule (state key = sender's server)
 * @param strictCanonicalJson           v6+: integers only, within ±(2^53−1), no floats
 * @param limitNotificationsPowerLevels v6+: changing {@code notifications} in power levels is checked like other keys
 * @param knockJoinRule                 v7+: the {@code knock} join rule and membership exist
 * @param restrictedJoinRule            v8+: the {@code restricted} join rule and {@code join_authorised_via_users_server}
 * @param knockRestrictedJoinRule       v10+: the {@code knock_restricted} join rule
 * @param integerPowerLevels            v10+: power level values must be integers, not strings
 * @param creatorFromSender             v11+: the room creator is the create event's sender, not {@code content.creator}
 * @param redactsInContent              v11+: {@code redacts} is a content property of {@code m.room.redaction}
 * @param roomIdFromCreateEvent         v12+: the room ID is derived from the create event's reference hash; the
 *                                      create event has no {@code room_id} and is not listed in {@code auth_events}
 * @param privilegedCreators            v12+: the creators ({@code sender} and {@code additional_creators}) have
 *                                      unlimited power and may not appear in power levels' {@code users}
 */
public record RoomVersion(
        String id,
        EventFormat eventFormat,
        EventIdFormat eventIdFormat,
        StateResolutionAlgorithm stateResolution,
        RedactionAlgorithm redaction,
        boolean enforceKeyValidity,
        boolean specialCaseAliasesAuth,
        boolean strictCanonicalJson,
        boolean limitNotificationsPowerLevels,
        boolean knockJoinRule,
        boolean restrictedJoinRule,
        boolean knockRestrictedJoinRule,
        boolean integerPowerLevels,
        boolean creatorFromSender,
        boolean redactsInContent,
        boolean roomIdFromCreateEvent,
        boolean privilegedCreators) {

    /** How events are shaped on the wire. */
    public enum EventFormat {
        /** v1–2: events carry {@code event_id}; {@code prev_events}/{@code auth_events} are [event_id, hashes] pairs. */
        V1,
        /** v3+: no {@code event_id} field; {@code prev_events}/{@code auth_events} are lists of event IDs. */
        V2
    }

    /** How event IDs are made. */
    public enum EventIdFormat {
        /** v1–2: {@code $opaque:server}, chosen by the origin server. */
        SERVER_ASSIGNED,
        /** v3: {@code $} + standard unpadded base64 of the reference hash. */
        REFERENCE_HASH_BASE64,
        /** v4+: {@code $} + URL-safe unpadded base64 of the reference hash. */
        REFERENCE_HASH_URL_SAFE
    }

    /** The state resolution algorithm. */
    public enum StateResolutionAlgorithm {
        V1,
        V2,
        /** v12: v2 with the conflicted state subgraph and iterative auth checks starting from empty state. */
        V2_1
    }

    /** The redaction algorithm; each one changes what the previous keeps. */
    public enum RedactionAlgorithm {
        /** v1–5. */
        V1,
        /** v6–7: {@code m.room.aliases} keeps nothing. */
        V6,
        /** v8: {@code m.room.join_rules} keeps {@code allow}. */
        V8,
        /** v9–10: {@code m.room.member} keeps {@code join_authorised_via_users_server}. */
        V9,
        /** v11+: the changes of room version 11. */
        V11
    }
}
