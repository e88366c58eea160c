package dev.myelin.userapi.keys;

import static dev.myelin.userapi.keys.KeyObjects.ED25519;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.stream.StreamProducer;
import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.crypto.SignedJson;
import dev.myelin.protocol.crypto.VerifyKey;
import dev.myelin.protocol.id.UserId;
import dev.myelin.userapi.internal.Json;
import dev.myelin.userapi.storage.CrossSigningTables;
import dev.myelin.userapi.storage.DeviceKeysTable;
import dev.myelin.userapi.storage.DevicesTable;
import dev.myelin.userapi.storage.OneTimeKeysTable;
import dev.myelin.userapi.storage.RoomKeysTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The key server of this process, over the userapi database. Every change that others must notice (a device's keys
 * appearing or going away, cross-signing keys, signatures) appends an {@link OutputKeyChangeEvent} to the outbox in
 * the same transaction, which is what drives {@code device_lists} in {@code /sync}.
 */
public final class LocalKeyServer implements KeyApi {
    private static final String SIGNED_CURVE25519 = "signed_curve25519";
    private static final List<String> CROSS_SIGNING_TYPES = List.of("master", "self_signing", "user_signing");

    private final Database db;
    private final StreamProducer<OutputKeyChangeEvent> changes;
    private final String serverName;
    private final Clock clock;

    public LocalKeyServer(Database db, StreamProducer<OutputKeyChangeEvent> changes, String serverName, Clock clock) {
        this.db = db;
        this.changes = changes;
        this.serverName = serverName;
        this.clock = clock;
    }

    /**
     * Removes a device's keys inside the transaction that deletes the device, and announces the change. Called by the
     * account side of userapi (device deletion, deactivation).
     */
    public void deviceRemoved(Connection tx, String userId, String deviceId) throws SQLException {
        DeviceKeysTable.deleteDevice(tx, userId, deviceId);
        changes.append(tx, userId, new OutputKeyChangeEvent(userId, deviceId, OutputKeyChangeEvent.DEVICE_DELETED));
    }

    // Device, one-time and fallback keys

    @Override
    public Map<String, Long> upload(String userId, String deviceId, ObjectNode body) {
        Optional<ObjectNode> deviceKeys = KeyObjects.optionalObject(body, "device_keys");
        deviceKeys.ifPresent(k -> KeyObjects.checkDeviceKeys(k, userId, deviceId));
        Map<String, JsonNode> oneTimeKeys = claimableKeys(body, "one_time_keys");
        Map<String, JsonNode> fallbackKeys = claimableKeys(body, "fallback_keys");
        Map<String, String> fallbackAlgorithms = new HashMap<>();
        for (String id : fallbackKeys.keySet()) {
            String algorithm = id.substring(0, id.indexOf(':'));
            if (fallbackAlgorithms.put(algorithm, id) != null) {
                throw MatrixException.invalidParam("fallback_keys may hold one key per algorithm");
            }
        }
        long now = clock.millis();
        db.write(c -> {
            if (deviceKeys.isPresent()) {
                String json = KeyObjects.write(deviceKeys.get());
                if (DeviceKeysTable.insert(c, userId, deviceId, json, now)) {
                    changes.append(c, userId, new OutputKeyChangeEvent(userId, deviceId, OutputKeyChangeEvent.DEVICE_KEYS));
                } else {
                    ObjectNode existing = KeyObjects.parse(DeviceKeysTable.select(c, userId, deviceId).orElseThrow());
                    if (!KeyObjects.unsignedPart(existing).equals(KeyObjects.unsignedPart(deviceKeys.get()))) {
                        // why: a device's identity keys are what other users verified; new ones under the same device
                        // ID would silently replace a verified identity. A new identity needs a new device.
                        throw MatrixException.invalidParam("This device already has different identity keys");
                    }
                    DeviceKeysTable.update(c, userId, deviceId, json);
                }
            }
            for (Map.Entry<String, JsonNode> e : oneTimeKeys.entrySet()) {
                String algorithm = e.getKey().substring(0, e.getKey().indexOf(':'));
                String keyId = e.getKey().substring(e.getKey().indexOf(':') + 1);
                if (OneTimeKeysTable.insert(c, userId, deviceId, algorithm, keyId, KeyObjects.write(e.getValue()), now)) continue;
                Optional<String> existing = OneTimeKeysTable.select(c, userId, deviceId, algorithm, keyId);
                if (existing.isPresent() && !KeyObjects.parseAny(existing.get()).equals(e.getValue())) {
                    throw MatrixException.invalidParam("One-time key " + e.getKey() + " already exists with a different value");
                }
            }
            for (Map.Entry<String, String> e : fallbackAlgorithms.entrySet()) {
                String id = e.getValue();
                String keyId = id.substring(id.indexOf(':') + 1);
                String json = KeyObjects.write(fallbackKeys.get(id));
                Optional<OneTimeKeysTable.Fallback> existing = OneTimeKeysTable.fallback(c, userId, deviceId, e.getKey());
                // why: re-uploading the same fallback key (a retried request) must not make a used key look fresh
                if (existing.isPresent() && existing.get().keyId().equals(keyId)
                        && KeyObjects.parseAny(existing.get().keyJson()).equals(fallbackKeys.get(id))) {
                    continue;
                }
                OneTimeKeysTable.putFallback(c, userId, deviceId, e.getKey(), keyId, json);
            }
            return null;
        });
        return counts(userId, deviceId).oneTimeKeyCounts();
    }

    /** {@code <algorithm>:<key_id>} → key (a string, or an object holding a {@code key}). */
    private static Map<String, JsonNode> claimableKeys(ObjectNode body, String field) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Optional<ObjectNode> keys = KeyObjects.optionalObject(body, field);
        if (keys.isEmpty()) return out;
        for (Map.Entry<String, JsonNode> e : keys.get().properties()) {
            int colon = e.getKey().indexOf(':');
            if (colon <= 0 || colon == e.getKey().length() - 1) {
                throw MatrixException.badJson(field + " keys must be named <algorithm>:<key_id>");
            }
            JsonNode value = e.getValue();
            boolean ok = value.isString() || (value.isObject() && value.path("key").isString()
                    && (value.get(SignedJson.SIGNATURES) == null || value.get(SignedJson.SIGNATURES).isObject()));
            if (!ok) throw MatrixException.badJson(field + "." + e.getKey() + " must be a key string or a signed key object");
            out.put(e.getKey(), value);
        }
        return out;
    }

    @Override
    public KeyCounts counts(String userId, String deviceId) {
        return db.read(c -> {
            Map<String, Long> counts = new TreeMap<>(OneTimeKeysTable.counts(c, userId, deviceId));
            // why: clients (and Synapse's answers they were written against) expect the usual algorithm even at zero
            counts.putIfAbsent(SIGNED_CURVE25519, 0L);
            List<String> unused = OneTimeKeysTable.fallbacks(c, userId, deviceId).stream()
                    .filter(f -> !f.used()).map(OneTimeKeysTable.Fallback::algorithm).toList();
            return new KeyCounts(counts, unused);
        });
    }

    // Query and claim

    private Optional<UserId> localUser(String userId, ObjectNode failures) {
        UserId id;
        try {
            id = UserId.parse(userId);
        } catch (ProtocolException e) {
            throw MatrixException.invalidParam("Not a user ID: " + userId);
        }
        if (!id.server().value().equals(serverName)) {
            // why: federation is not wired yet; the spec's failures map is keyed by the server that could not answer
            ObjectNode failure = failures.putObject(id.server().value());
            failure.put("status", 503);
            failure.put("message", "Keys of remote users are not available yet");
            return Optional.empty();
        }
        return Optional.of(id);
    }

    @Override
    public ObjectNode query(String requesterUserId, ObjectNode body) {
        ObjectNode request = KeyObjects.object(body.get("device_keys"), "device_keys");
        Map<String, List<String>> wanted = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : request.properties()) {
            if (!e.getValue().isArray()) throw MatrixException.badJson("device_keys values must be lists of device IDs");
            List<String> ids = new ArrayList<>();
            for (JsonNode id : e.getValue()) ids.add(KeyObjects.string(id, "device ID"));
            wanted.put(e.getKey(), ids);
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        ObjectNode failures = Json.MAPPER.createObjectNode();
        ObjectNode deviceKeys = out.putObject("device_keys");
        ObjectNode master = Json.MAPPER.createObjectNode();
        ObjectNode selfSigning = Json.MAPPER.createObjectNode();
        ObjectNode userSigning = Json.MAPPER.createObjectNode();
        db.read(c -> {
            for (Map.Entry<String, List<String>> e : wanted.entrySet()) {
                String userId = e.getKey();
                Optional<UserId> local = localUser(userId, failures);
                if (local.isEmpty()) continue;
                ObjectNode devices = deviceKeys.putObject(userId);
                Set<String> only = new LinkedHashSet<>(e.getValue());
                for (DeviceKeysTable.Row row : DeviceKeysTable.selectUser(c, userId)) {
                    if (!only.isEmpty() && !only.contains(row.deviceId())) continue;
                    ObjectNode keys = KeyObjects.parse(row.keyJson());
                    addStoredSignatures(c, keys, userId, row.deviceId(), Set.of(userId));
                    ObjectNode unsigned = keys.putObject(SignedJson.UNSIGNED);
                    DevicesTable.select(c, local.get().localpart(), row.deviceId())
                            .flatMap(DevicesTable.Row::displayName)
                            .ifPresent(name -> unsigned.put("device_display_name", name));
                    devices.set(row.deviceId(), keys);
                }
                Map<String, String> cross = CrossSigningTables.keys(c, userId);
                // why: signatures by other users' user-signing keys are private to the signer
                Set<String> visibleSigners = new java.util.HashSet<>(List.of(userId, requesterUserId));
                putCrossSigning(c, master, cross.get("master"), userId, visibleSigners);
                putCrossSigning(c, selfSigning, cross.get("self_signing"), userId, visibleSigners);
                if (userId.equals(requesterUserId)) putCrossSigning(c, userSigning, cross.get("user_signing"), userId, visibleSigners);
            }
            return null;
        });
        out.set("failures", failures);
        out.set("master_keys", master);
        out.set("self_signing_keys", selfSigning);
        out.set("user_signing_keys", userSigning);
        return out;
    }

    private void putCrossSigning(Connection c, ObjectNode into, String json, String userId, Set<String> signers) throws SQLException {
        if (json == null) return;
        ObjectNode key = KeyObjects.parse(json);
        addStoredSignatures(c, key, userId, publicKey(key), signers);
        into.set(userId, key);
    }

    private static String publicKey(ObjectNode crossSigningKey) {
        return crossSigningKey.path("keys").properties().iterator().next().getValue().asString();
    }

    private static void addStoredSignatures(Connection c, ObjectNode key, String userId, String targetKeyId, Set<String> signers)
            throws SQLException {
        for (CrossSigningTables.Signature s : CrossSigningTables.signatures(c, userId, targetKeyId)) {
            if (signers.contains(s.signerUserId())) SignedJson.putSignature(key, s.signerUserId(), s.signerKeyId(), s.signature());
        }
    }

    @Override
    public ObjectNode claim(ObjectNode body) {
        ObjectNode request = KeyObjects.object(body.get("one_time_keys"), "one_time_keys");
        ObjectNode out = Json.MAPPER.createObjectNode();
        ObjectNode claimed = out.putObject("one_time_keys");
        ObjectNode failures = Json.MAPPER.createObjectNode();
        for (Map.Entry<String, JsonNode> user : request.properties()) {
            ObjectNode devices = KeyObjects.object(user.getValue(), "one_time_keys." + user.getKey());
            for (Map.Entry<String, JsonNode> device : devices.properties()) {
                KeyObjects.string(device.getValue(), "algorithm");
            }
        }
        db.write(c -> {
            for (Map.Entry<String, JsonNode> user : request.properties()) {
                if (localUser(user.getKey(), failures).isEmpty()) continue;
                for (Map.Entry<String, JsonNode> device : user.getValue().properties()) {
                    String algorithm = device.getValue().asString();
                    Optional<OneTimeKeysTable.Key> key = OneTimeKeysTable.claim(c, user.getKey(), device.getKey(), algorithm);
                    String id;
                    String json;
                    if (key.isPresent()) {
                        id = algorithm + ":" + key.get().keyId();
                        json = key.get().keyJson();
                    } else {
                        Optional<OneTimeKeysTable.Fallback> fallback = OneTimeKeysTable.fallback(c, user.getKey(), device.getKey(), algorithm);
                        if (fallback.isEmpty()) continue;
                        OneTimeKeysTable.markFallbackUsed(c, user.getKey(), device.getKey(), algorithm);
                        id = algorithm + ":" + fallback.get().keyId();
                        json = fallback.get().keyJson();
                    }
                    ObjectNode forUser = claimed.has(user.getKey()) ? (ObjectNode) claimed.get(user.getKey()) : claimed.putObject(user.getKey());
                    forUser.putObject(device.getKey()).set(id, KeyObjects.parseAny(json));
                }
            }
            return null;
        });
        out.set("failures", failures);
        return out;
    }

    // Cross-signing

    private static Map<String, ObjectNode> crossSigningKeysOf(ObjectNode body) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        for (String type : CROSS_SIGNING_TYPES) {
            KeyObjects.optionalObject(body, type + "_key").ifPresent(k -> out.put(type, k));
        }
        return out;
    }

    @Override
    public boolean crossSigningUploadNeedsAuth(String userId, ObjectNode body) {
        Map<String, ObjectNode> uploaded = crossSigningKeysOf(body);
        Map<String, String> stored = db.read(c -> CrossSigningTables.keys(c, userId));
        if (!stored.containsKey("master")) return false;
        if (!uploaded.containsKey("master")) return true;
        for (Map.Entry<String, ObjectNode> e : uploaded.entrySet()) {
            String existing = stored.get(e.getKey());
            if (existing == null || !KeyObjects.parse(existing).equals(e.getValue())) return true;
        }
        return false;
    }

    @Override
    public void uploadCrossSigningKeys(String userId, ObjectNode body) {
        Map<String, ObjectNode> uploaded = crossSigningKeysOf(body);
        if (uploaded.isEmpty()) return;
        long now = clock.millis();
        db.write(c -> {
            Map<String, String> stored = CrossSigningTables.keys(c, userId);
            ObjectNode master = uploaded.containsKey("master") ? uploaded.get("master")
                    : Optional.ofNullable(stored.get("master")).map(KeyObjects::parse)
                            .orElseThrow(() -> MatrixException.missingParam("A master key is needed before other cross-signing keys"));
            String masterKey = KeyObjects.checkCrossSigningKey(master, userId, "master");
            for (String type : List.of("self_signing", "user_signing")) {
                ObjectNode key = uploaded.get(type);
                if (key == null) continue;
                KeyObjects.checkCrossSigningKey(key, userId, type);
                KeyObjects.verify(key, userId, ED25519 + masterKey, masterKey, type + " key");
            }
            boolean changed = false;
            boolean newMaster = uploaded.containsKey("master")
                    && !Optional.ofNullable(stored.get("master")).map(KeyObjects::parse).map(master::equals).orElse(false);
            if (newMaster) {
                // why: the old sub-keys were signed by the old master key; kept, they would fail every client's check
                CrossSigningTables.delete(c, userId, "self_signing");
                CrossSigningTables.delete(c, userId, "user_signing");
                stored.remove("self_signing");
                stored.remove("user_signing");
            }
            for (Map.Entry<String, ObjectNode> e : uploaded.entrySet()) {
                String existing = stored.get(e.getKey());
                if (existing != null && KeyObjects.parse(existing).equals(e.getValue())) continue;
                CrossSigningTables.put(c, userId, e.getKey(), KeyObjects.write(e.getValue()), now);
                changed = true;
            }
            if (changed) changes.append(c, userId, new OutputKeyChangeEvent(userId, null, OutputKeyChangeEvent.CROSS_SIGNING));
            return null;
        });
    }

    @Override
    public ObjectNode uploadSignatures(String userId, ObjectNode body) {
        ObjectNode failures = Json.MAPPER.createObjectNode();
        for (Map.Entry<String, JsonNode> user : body.properties()) {
            KeyObjects.object(user.getValue(), user.getKey());
        }
        db.write(c -> {
            boolean changed = false;
            for (Map.Entry<String, JsonNode> user : body.properties()) {
                for (Map.Entry<String, JsonNode> target : user.getValue().properties()) {
                    try {
                        changed |= storeSignatures(c, userId, user.getKey(), target.getKey(), target.getValue());
                    } catch (MatrixException e) {
                        ObjectNode forUser = failures.has(user.getKey()) ? (ObjectNode) failures.get(user.getKey())
                                : failures.putObject(user.getKey());
                        ObjectNode failure = forUser.putObject(target.getKey());
                        failure.put("errcode", e.errcode());
                        failure.put("error", e.getMessage());
                    }
                }
            }
            // why: the signer's own devices re-query; other users never see signatures by this user's user-signing key
            if (changed) changes.append(c, userId, new OutputKeyChangeEvent(userId, null, OutputKeyChangeEvent.CROSS_SIGNING));
            return null;
        });
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("failures", failures);
        return out;
    }

    /**
     * Stores the new signatures by {@code signer} on {@code targetUser}'s key {@code targetKeyId}; throws a
     * MatrixException (reported as this key's failure) when the key is unknown or a signature does not verify.
     */
    private boolean storeSignatures(Connection c, String signer, String targetUser, String targetKeyId, JsonNode value)
            throws SQLException {
        ObjectNode signed = KeyObjects.object(value, targetKeyId);
        Map<String, VerifyKey> allowed = new HashMap<>();
        ObjectNode stored;
        Map<String, String> signerCross = CrossSigningTables.keys(c, signer);
        if (targetUser.equals(signer)) {
            Optional<String> device = DeviceKeysTable.select(c, signer, targetKeyId);
            Optional<ObjectNode> master = Optional.ofNullable(signerCross.get("master")).map(KeyObjects::parse);
            if (device.isPresent()) {
                stored = KeyObjects.parse(device.get());
                Optional.ofNullable(signerCross.get("self_signing")).map(KeyObjects::parse).ifPresent(k ->
                        allowed.put(ED25519 + publicKey(k), KeyObjects.verifyKey(publicKey(k), "self-signing key")));
            } else if (master.isPresent() && publicKey(master.get()).equals(targetKeyId)) {
                stored = master.get();
                allowed.put(ED25519 + targetKeyId, KeyObjects.verifyKey(targetKeyId, "master key"));
                for (DeviceKeysTable.Row row : DeviceKeysTable.selectUser(c, signer)) {
                    String deviceKey = KeyObjects.parse(row.keyJson()).path("keys").path(ED25519 + row.deviceId()).asString(null);
                    if (deviceKey != null) allowed.put(ED25519 + row.deviceId(), KeyObjects.verifyKey(deviceKey, "device key"));
                }
            } else {
                throw MatrixException.notFound("No device or master key " + targetKeyId + " of " + targetUser);
            }
        } else {
            Optional<ObjectNode> master = Optional.ofNullable(CrossSigningTables.key(c, targetUser, "master").orElse(null))
                    .map(KeyObjects::parse);
            if (master.isEmpty() || !publicKey(master.get()).equals(targetKeyId)) {
                throw MatrixException.notFound("Only the master key of another user can be signed, and " + targetKeyId
                        + " is not the master key of " + targetUser);
            }
            stored = master.get();
            Optional.ofNullable(signerCross.get("user_signing")).map(KeyObjects::parse).ifPresent(k ->
                    allowed.put(ED25519 + publicKey(k), KeyObjects.verifyKey(publicKey(k), "user-signing key")));
        }
        if (!KeyObjects.unsignedPart(stored).equals(KeyObjects.unsignedPart(signed))) {
            throw MatrixException.invalidParam("The signed object is not the key stored as " + targetKeyId);
        }
        JsonNode bySigner = signed.path(SignedJson.SIGNATURES).path(signer);
        if (!bySigner.isObject() || bySigner.isEmpty()) {
            throw new MatrixException("M_INVALID_SIGNATURE", "No signature by " + signer, 400);
        }
        JsonNode already = stored.path(SignedJson.SIGNATURES).path(signer);
        List<CrossSigningTables.Signature> fresh = new ArrayList<>();
        for (Map.Entry<String, JsonNode> s : bySigner.properties()) {
            if (s.getValue().equals(already.get(s.getKey()))) continue; // a signature the key carried already
            VerifyKey key = allowed.get(s.getKey());
            if (key == null) {
                throw new MatrixException("M_INVALID_SIGNATURE", "Key " + s.getKey() + " may not sign " + targetKeyId, 400);
            }
            if (!s.getValue().isString() || !KeyObjects.verifies(stored, s.getValue().asString(), key)) {
                throw new MatrixException("M_INVALID_SIGNATURE", "Invalid signature by " + s.getKey(), 400);
            }
            fresh.add(new CrossSigningTables.Signature(targetUser, targetKeyId, signer, s.getKey(), s.getValue().asString()));
        }
        for (CrossSigningTables.Signature s : fresh) CrossSigningTables.putSignature(c, s);
        return !fresh.isEmpty();
    }

    // Key backup

    private static long versionNumber(String version) {
        try {
            long v = Long.parseLong(version);
            if (v > 0) return v;
        } catch (NumberFormatException e) {
            // falls through to not found
        }
        throw MatrixException.notFound("Unknown backup version");
    }

    private static ObjectNode backupBody(ObjectNode body) {
        KeyObjects.string(body.get("algorithm"), "algorithm");
        KeyObjects.object(body.get("auth_data"), "auth_data");
        return body;
    }

    @Override
    public String createBackup(String userId, ObjectNode body) {
        backupBody(body);
        for (int attempt = 1; ; attempt++) {
            try {
                long version = db.write(c -> RoomKeysTables.create(c, userId, body.get("algorithm").asString(),
                        KeyObjects.write(body.get("auth_data"))));
                return Long.toString(version);
            } catch (dev.myelin.platform.db.DatabaseException e) {
                // why: on PostgreSQL two concurrent creations can pick the same next version number; the loser of
                // the unique key retries with the next one instead of answering 500
                if (!e.isUniqueViolation() || attempt == 5) throw e;
            }
        }
    }

    @Override
    public ObjectNode backupInfo(String userId, Optional<String> version) {
        return db.read(c -> {
            Optional<RoomKeysTables.Version> v = version.isPresent()
                    ? RoomKeysTables.version(c, userId, versionNumber(version.get()))
                    : RoomKeysTables.current(c, userId);
            if (v.isEmpty()) throw MatrixException.notFound(version.isPresent() ? "Unknown backup version" : "No current backup version");
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.put("algorithm", v.get().algorithm());
            out.set("auth_data", KeyObjects.parse(v.get().authData()));
            out.put("count", RoomKeysTables.count(c, userId, v.get().version()));
            out.put("etag", Long.toString(v.get().etag()));
            out.put("version", Long.toString(v.get().version()));
            return out;
        });
    }

    @Override
    public void updateBackup(String userId, String version, ObjectNode body) {
        backupBody(body);
        JsonNode bodyVersion = body.get("version");
        if (bodyVersion != null && !bodyVersion.isNull() && !version.equals(bodyVersion.asString(null))) {
            throw MatrixException.invalidParam("The version in the body does not match the version in the path");
        }
        long number = versionNumber(version);
        db.write(c -> {
            RoomKeysTables.Version v = RoomKeysTables.version(c, userId, number)
                    .orElseThrow(() -> MatrixException.notFound("Unknown backup version"));
            if (!v.algorithm().equals(body.get("algorithm").asString())) throw MatrixException.invalidParam("Algorithm does not match");
            RoomKeysTables.updateAuthData(c, userId, number, KeyObjects.write(body.get("auth_data")));
            return null;
        });
    }

    @Override
    public void deleteBackup(String userId, String version) {
        long number = versionNumber(version);
        db.write(c -> {
            RoomKeysTables.version(c, userId, number).orElseThrow(() -> MatrixException.notFound("Unknown backup version"));
            RoomKeysTables.delete(c, userId, number);
            return null;
        });
    }

    /** The backup version keys are written to, which must be the current one. */
    private static long writableVersion(Connection c, String userId, String version) throws SQLException {
        Optional<RoomKeysTables.Version> current = RoomKeysTables.current(c, userId);
        if (current.isEmpty()) throw MatrixException.notFound("No current backup version");
        if (!Long.toString(current.get().version()).equals(version)) {
            throw new MatrixException("M_WRONG_ROOM_KEYS_VERSION", "Wrong backup version", 403,
                    Map.of("current_version", Long.toString(current.get().version())));
        }
        return current.get().version();
    }

    private static RoomKeysTables.SessionKey sessionKey(String roomId, String sessionId, JsonNode value) {
        String where = "rooms." + roomId + ".sessions." + sessionId;
        ObjectNode data = KeyObjects.object(value, where);
        JsonNode first = data.get("first_message_index");
        JsonNode forwarded = data.get("forwarded_count");
        JsonNode verified = data.get("is_verified");
        if (first == null || !first.canConvertToLong() || !first.isIntegralNumber()) throw MatrixException.badJson(where + ".first_message_index must be an integer");
        if (forwarded == null || !forwarded.isIntegralNumber()) throw MatrixException.badJson(where + ".forwarded_count must be an integer");
        if (verified == null || !verified.isBoolean()) throw MatrixException.badJson(where + ".is_verified must be a boolean");
        ObjectNode sessionData = KeyObjects.object(data.get("session_data"), where + ".session_data");
        return new RoomKeysTables.SessionKey(roomId, sessionId, first.asLong(), forwarded.asLong(), verified.asBoolean(),
                KeyObjects.write(sessionData));
    }

    /** The spec's rule for keeping the better of two keys of one session (key backup, "storing keys"). */
    private static boolean better(RoomKeysTables.SessionKey candidate, RoomKeysTables.SessionKey existing) {
        if (candidate.isVerified() != existing.isVerified()) return candidate.isVerified();
        if (candidate.firstMessageIndex() != existing.firstMessageIndex()) return candidate.firstMessageIndex() < existing.firstMessageIndex();
        return candidate.forwardedCount() < existing.forwardedCount();
    }

    @Override
    public ObjectNode putRoomKeys(String userId, String version, ObjectNode body) {
        List<RoomKeysTables.SessionKey> keys = new ArrayList<>();
        ObjectNode rooms = KeyObjects.object(body.get("rooms"), "rooms");
        for (Map.Entry<String, JsonNode> room : rooms.properties()) {
            ObjectNode sessions = KeyObjects.object(KeyObjects.object(room.getValue(), "rooms." + room.getKey()).get("sessions"),
                    "rooms." + room.getKey() + ".sessions");
            for (Map.Entry<String, JsonNode> session : sessions.properties()) {
                keys.add(sessionKey(room.getKey(), session.getKey(), session.getValue()));
            }
        }
        return db.write(c -> {
            long number = writableVersion(c, userId, version);
            boolean changed = false;
            for (RoomKeysTables.SessionKey k : keys) {
                List<RoomKeysTables.SessionKey> existing = RoomKeysTables.keys(c, userId, number, Optional.of(k.roomId()),
                        Optional.of(k.sessionId()));
                if (!existing.isEmpty() && !better(k, existing.getFirst())) continue;
                RoomKeysTables.put(c, userId, number, k);
                changed = true;
            }
            if (changed) RoomKeysTables.bumpEtag(c, userId, number);
            return etagAndCount(c, userId, number);
        });
    }

    private static ObjectNode etagAndCount(Connection c, String userId, long number) throws SQLException {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("etag", Long.toString(RoomKeysTables.version(c, userId, number).orElseThrow().etag()));
        out.put("count", RoomKeysTables.count(c, userId, number));
        return out;
    }

    @Override
    public ObjectNode roomKeys(String userId, String version, Optional<String> roomId, Optional<String> sessionId) {
        long number = versionNumber(version);
        return db.read(c -> {
            RoomKeysTables.version(c, userId, number).orElseThrow(() -> MatrixException.notFound("Unknown backup version"));
            List<RoomKeysTables.SessionKey> keys = RoomKeysTables.keys(c, userId, number, roomId, sessionId);
            if (sessionId.isPresent()) {
                if (keys.isEmpty()) throw MatrixException.notFound("No key backed up for this session");
                return render(keys.getFirst());
            }
            ObjectNode rooms = Json.MAPPER.createObjectNode();
            for (RoomKeysTables.SessionKey k : keys) {
                ObjectNode room = rooms.has(k.roomId()) ? (ObjectNode) rooms.get(k.roomId()) : rooms.putObject(k.roomId());
                ObjectNode sessions = room.has("sessions") ? (ObjectNode) room.get("sessions") : room.putObject("sessions");
                sessions.set(k.sessionId(), render(k));
            }
            if (roomId.isPresent()) {
                return rooms.has(roomId.get()) ? (ObjectNode) rooms.get(roomId.get())
                        : Json.MAPPER.createObjectNode().set("sessions", Json.MAPPER.createObjectNode());
            }
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.set("rooms", rooms);
            return out;
        });
    }

    private static ObjectNode render(RoomKeysTables.SessionKey k) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("first_message_index", k.firstMessageIndex());
        out.put("forwarded_count", k.forwardedCount());
        out.put("is_verified", k.isVerified());
        out.set("session_data", KeyObjects.parse(k.sessionData()));
        return out;
    }

    @Override
    public ObjectNode deleteRoomKeys(String userId, String version, Optional<String> roomId, Optional<String> sessionId) {
        long number = versionNumber(version);
        return db.write(c -> {
            RoomKeysTables.version(c, userId, number).orElseThrow(() -> MatrixException.notFound("Unknown backup version"));
            if (RoomKeysTables.deleteKeys(c, userId, number, roomId, sessionId) > 0) RoomKeysTables.bumpEtag(c, userId, number);
            return etagAndCount(c, userId, number);
        });
    }
}
