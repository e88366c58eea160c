package dev.myelin.userapi.keys;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * The key server (https://spec.matrix.org/v1.19/client-server-api/#end-to-end-encryption): device keys, one-time and
 * fallback keys, cross-signing keys and signatures, server-side key backup. Requests and answers are the JSON shapes of
 * the client-server API, because the server must store and return signed key objects exactly as clients made them.
 * Refusals are {@code MatrixException}s carrying the error a client should see.
 */
public interface KeyApi {

    /** What a device still has published, for {@code /sync} and {@code /keys/upload}. */
    record KeyCounts(Map<String, Long> oneTimeKeyCounts, List<String> unusedFallbackKeyTypes) {}

    /** {@code POST /keys/upload}: stores the device's keys; the answer's {@code one_time_key_counts}. */
    Map<String, Long> upload(String userId, String deviceId, ObjectNode body);

    KeyCounts counts(String userId, String deviceId);

    /** {@code POST /keys/query} by {@code requesterUserId}: the whole answer. */
    ObjectNode query(String requesterUserId, ObjectNode body);

    /** {@code POST /keys/claim}: the whole answer. */
    ObjectNode claim(ObjectNode body);

    /** Whether {@code POST /keys/device_signing/upload} with {@code body} needs user-interactive authentication. */
    boolean crossSigningUploadNeedsAuth(String userId, ObjectNode body);

    /** {@code POST /keys/device_signing/upload} after authentication (when it was needed). */
    void uploadCrossSigningKeys(String userId, ObjectNode body);

    /** {@code POST /keys/signatures/upload}: the whole answer ({@code failures}). */
    ObjectNode uploadSignatures(String userId, ObjectNode body);

    // Key backup

    /** Creates a backup version; returns its version string. */
    String createBackup(String userId, ObjectNode body);

    /** The current backup ({@code version} empty) or a given one, as {@code GET /room_keys/version} answers; M_NOT_FOUND if none. */
    ObjectNode backupInfo(String userId, Optional<String> version);

    void updateBackup(String userId, String version, ObjectNode body);

    void deleteBackup(String userId, String version);

    /** Stores session keys ({@code {"rooms": {room: {"sessions": {id: data}}}}}) in the current backup; {@code etag} and {@code count}. */
    ObjectNode putRoomKeys(String userId, String version, ObjectNode rooms);

    /** The backup's keys, narrowed to a room and session when given (the shape narrows with them). */
    ObjectNode roomKeys(String userId, String version, Optional<String> roomId, Optional<String> sessionId);

    ObjectNode deleteRoomKeys(String userId, String version, Optional<String> roomId, Optional<String> sessionId);
}
