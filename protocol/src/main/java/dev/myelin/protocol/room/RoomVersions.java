package dev.myelin.protocol.room;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.room.RoomVersion.EventFormat;
import dev.myelin.protocol.room.RoomVersion.EventIdFormat;
import dev.myelin.protocol.room.RoomVersion.RedactionAlgorithm;
import dev.myelin.protocol.room.RoomVersion.StateResolutionAlgorithm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry of the room versions this server supports, 1 to 12, each described by what it changes.
 * See the spec's "Room Versions" section.
 */
public final class RoomVersions {

    public static final RoomVersion V1 = new RoomVersion("1", EventFormat.V1, EventIdFormat.SERVER_ASSIGNED,
            StateResolutionAlgorithm.V1, RedactionAlgorithm.V1,
            false, true, false, false, false, false, false, false, false, false, false, false);
    public static final RoomVersion V2 = with(V1, "2", StateResolutionAlgorithm.V2);
    public static final RoomVersion V3 = new RoomVersion("3", EventFormat.V2, EventIdFormat.REFERENCE_HASH_BASE64,
            StateResolutionAlgorithm.V2, RedactionAlgorithm.V1,
            false, true, false, false, false, false, false, false, false, false, false, false);
    public static final RoomVersion V4 = new RoomVersion("4", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE,
            StateResolutionAlgorithm.V2, RedactionAlgorithm.V1,
            false, true, false, false, false, false, false, false, false, false, false, false);
    public static final RoomVersion V5 = new RoomVersion("5", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE,
            StateResolutionAlgorithm.V2, RedactionAlgorithm.V1,
            true, true, false, false, false, false, false, false, false, false, false, false);
    public static final RoomVersion V6 = new RoomVersion("6", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE,
            StateResolutionAlgorithm.V2, RedactionAlgorithm.V6,
            true, false, true, true, false, false, false, false, false, false, false, false);
    public static final RoomVersion V7 = new RoomVersion("7", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE,
            StateResolutionAlgorithm.V2, RedactionAlgorithm.V6,
            true, false, true, true, true, false, false, false, false, false, false, false);
    public static final RoomVersion V8 = new RoomVersion("8", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE,
            StateResolutionAlgorithm.V2, RedactionAlgorithm.V8,
            true, false, true, true, true, true, false, false, false, false, false, false);
    public static final RoomVersion V9 = new RoomVersion("9", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE,
            StateResolutionAlgorithm.V2, RedactionAlgorithm.V9,
            true, false, true, true, true, true, false, false, false, false, false, false);
    public static final RoomVersion V10 = new RoomVersion("10", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE,
            StateResolutionAlgorithm.V2, RedactionAlgorithm.V9,
            true, false, true, true, true, true, true, true, false, false, false, false);
    public static final RoomVersion V11 = new RoomVersion("11", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE,
            StateResolutionAlgorithm.V2, RedactionAlgorithm.V11,
            true, false, true, true, true, true, true, true, true, true, false, false);
    public static final RoomVersion V12 = new RoomVersion("12", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE,
            StateResolutionAlgorithm.V2_1, RedactionAlgorithm.V11,
            true, false, true, true, true, true, true, true, true, true, true, true);

    /** The version new rooms get unless configured otherwise, as the spec recommends. */
    public static final RoomVersion DEFAULT = V12;

    private static final Map<String, RoomVersion> BY_ID = new LinkedHashMap<>();

    static {
        for (RoomVersion v : List.of(V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12)) {
            BY_ID.put(v.id(), v);
        }
    }

    private RoomVersions() {}

    /** Every supported version, oldest first. */
    public static List<RoomVersion> all() {
        return List.copyOf(BY_ID.values());
    }

    public static Optional<RoomVersion> find(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }

    /** The version with this ID, or a {@link ProtocolException} naming it as unsupported. */
    public static RoomVersion get(String id) {
        RoomVersion v = BY_ID.get(id);
        if (v == null) throw new ProtocolException("unsupported room version '" + id + "'");
        return v;
    }

    private static RoomVersion with(RoomVersion base, String id, StateResolutionAlgorithm stateResolution) {
        return new RoomVersion(id, base.eventFormat(), base.eventIdFormat(), stateResolution, base.redaction(),
                base.enforceKeyValidity(), base.specialCaseAliasesAuth(), base.strictCanonicalJson(),
                base.limitNotificationsPowerLevels(), base.knockJoinRule(), base.restrictedJoinRule(),
                base.knockRestrictedJoinRule(), base.integerPowerLevels(), base.creatorFromSender(),
                base.redactsInContent(), base.roomIdFromCreateEvent(), base.privilegedCreators());
    }
}
