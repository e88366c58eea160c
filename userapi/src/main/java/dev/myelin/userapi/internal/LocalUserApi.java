package dev.myelin.userapi.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.Migrations;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.stream.EphemeralStreams;
import dev.myelin.platform.stream.StreamProducer;
import dev.myelin.userapi.api.Account;
import dev.myelin.userapi.api.AccountDataChange;
import dev.myelin.userapi.api.Device;
import dev.myelin.userapi.api.OutputClientData;
import dev.myelin.userapi.api.LoginResult;
import dev.myelin.userapi.api.Notification;
import dev.myelin.userapi.api.RegistrationToken;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.TokenLookup;
import dev.myelin.userapi.api.UserApi;
import dev.myelin.userapi.api.UserProfile;
import dev.myelin.userapi.storage.AccountDataTable;
import dev.myelin.userapi.storage.AccountsTable;
import dev.myelin.userapi.storage.DevicesTable;
import dev.myelin.userapi.storage.FiltersTable;
import dev.myelin.userapi.storage.NotificationsTable;
import dev.myelin.userapi.storage.ProfilesTable;
import dev.myelin.userapi.storage.RegistrationTokensTable;
import dev.myelin.userapi.storage.ThreepidsTable;
import dev.myelin.userapi.storage.TokensTables;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;

/**
 * The user API served in this process, over the userapi database. Access tokens are looked up by their hash
 * through a Caffeine cache; every path that ends a token (logout, device deletion, deactivation, password
 * change with logout, refresh) drops the cache entries of the tokens it deletes, so they stop working at once, and
 * tells the other instances over {@link RevokedAccessTokens} so they drop theirs. Account data writes append
 * {@link OutputClientData} to the outbox in their transaction.
 */
public final class LocalUserApi implements UserApi {
    private static final Logger log = LoggerFactory.getLogger(LocalUserApi.class);
    private static final String PUSH_RULES_TYPE = "m.push_rules";
    // why: writing last-seen on every request would make each request a write transaction
    private static final long LAST_SEEN_WRITE_INTERVAL_MS = 60_000;

    /** What the cache keeps per access-token hash. */
    private record CachedToken(Requester requester, Optional<Long> expiresTs, AtomicLong lastSeenWritten) {}

    /** What else must go when a device goes (its E2EE keys), done in the transaction that deletes the device. */
    @FunctionalInterface
    public interface DeviceRemovalHook {
        void removed(java.sql.Connection tx, String userId, String deviceId) throws java.sql.SQLException;
    }

    private final Database db;
    private volatile DeviceRemovalHook deviceRemovalHook = (tx, userId, deviceId) -> { };
    private final List<Consumer<String>> accountDataListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final UserApiSettings settings;
    private final Clock clock;
    private final PasswordHasher hasher;
    private final Tokens tokens;
    private final SecureRandom random;
    private final Cache<String, CachedToken> tokenCache = Caffeine.newBuilder()
            .maximumSize(100_000)
            // why: revocations reach other processes over an ephemeral stream; should one be lost (the revoking
            // process died between commit and publish), this bounds how long a revoked token could still work
            .expireAfterWrite(Duration.ofMinutes(1))
            .build();
    private volatile Optional<StreamProducer<OutputClientData>> clientData = Optional.empty();
    // why: every event served asks whether its sender is erased; the set is small and changes rarely. Another
    // process's erasure shows here within the expiry.
    private final Cache<String, Set<String>> erasedCache = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofSeconds(10))
            .build();
    private volatile Optional<EphemeralStreams> revocations = Optional.empty();

    public LocalUserApi(Database db, UserApiSettings settings, Clock clock, SecureRandom random) {
        this.db = db;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.hasher = new PasswordHasher(settings.passwordCost(), random);
        this.tokens = new Tokens(random);
    }

    /**
     * Appends an {@link OutputClientData} record to {@code producer} (this database's outbox) in the transaction of
     * every account data change; set once at start-up, before requests.
     */
    public void publishClientData(StreamProducer<OutputClientData> producer) {
        this.clientData = Optional.of(producer);
    }

    /**
     * Tells the other userapi instances over {@code streams} which access tokens stopped working, and drops the
     * tokens they report from this instance's cache; set once at start-up. Returns the listener's registration.
     */
    public EphemeralStreams.Registration shareTokenRevocations(EphemeralStreams streams) {
        this.revocations = Optional.of(streams);
        return streams.listen(RevokedAccessTokens.STREAM, (key, m) -> {
            if (m.all()) tokenCache.invalidateAll();
            else if (m.hashes() != null) tokenCache.invalidateAll(m.hashes());
        });
    }

    /** Drops revoked tokens from this cache and every other instance's. */
    private void revoke(List<String> hashes) {
        if (hashes.isEmpty()) return;
        tokenCache.invalidateAll(hashes);
        revocations.ifPresent(r -> r.publish(RevokedAccessTokens.STREAM, "tokens", new RevokedAccessTokens(hashes, false)));
    }

    /** Drops every cached token here and everywhere (cached requesters carry a flag that changed). */
    private void revokeAllCached() {
        tokenCache.invalidateAll();
        revocations.ifPresent(r -> r.publish(RevokedAccessTokens.STREAM, "tokens", new RevokedAccessTokens(List.of(), true)));
    }

    /** Sets what runs when a device is deleted (the key server's clean-up); set once at start-up. */
    public void onDeviceRemoved(DeviceRemovalHook hook) {
        this.deviceRemovalHook = java.util.Objects.requireNonNull(hook);
    }

    @Override
    public String serverName() { return settings.serverName(); }

    private String userId(String localpart) { return "@" + localpart + ":" + settings.serverName(); }

    private long now() { return clock.millis(); }

    // Accounts

    @Override
    public void checkUsernameAvailable(String localpart) {
        Localparts.checkNew(localpart, settings.serverName());
        if (db.read(c -> AccountsTable.select(c, localpart)).isPresent()) {
            throw new MatrixException("M_USER_IN_USE", "The username is already taken", 400);
        }
    }

    @Override
    public Account createAccount(String localpart, Optional<String> password, boolean isGuest, boolean isAdmin,
            Optional<String> userType) {
        Localparts.checkNew(localpart, settings.serverName());
        Optional<String> hash = password.map(hasher::hash); // why: hash outside the write transaction (~60 ms)
        long now = now();
        boolean created = db.write(c -> AccountsTable.insert(c, localpart, hash, now, isGuest, isAdmin, userType));
        if (!created) throw new MatrixException("M_USER_IN_USE", "The username is already taken", 400);
        log.info("created account {} (guest={}, admin={}, type={})", userId(localpart), isGuest, isAdmin, userType.orElse("-"));
        return new Account(userId(localpart), localpart, now, isGuest, isAdmin, false, userType, false);
    }

    @Override
    public Account upgradeGuest(String localpart, String password) {
        String hash = hasher.hash(password);
        boolean upgraded = db.write(c -> AccountsTable.upgradeGuest(c, localpart, hash));
        if (!upgraded) throw MatrixException.forbidden("Only a guest account can be upgraded");
        revokeAllCached(); // why: cached requesters carry the guest flag
        log.info("upgraded guest {} to a full account", userId(localpart));
        return account(localpart).orElseThrow();
    }

    @Override
    public String generateLocalpart() {
        for (int attempt = 0; attempt < 20; attempt++) {
            String candidate = Long.toString(100_000_000L + Math.floorMod(random.nextLong(), 900_000_000L));
            if (db.read(c -> AccountsTable.select(c, candidate)).isEmpty()) return candidate;
        }
        throw MatrixException.unknown("Could not find a free username");
    }

    @Override
    public Optional<Account> account(String localpart) {
        return db.read(c -> AccountsTable.select(c, localpart)).map(r -> new Account(userId(r.localpart()), r.localpart(),
                r.createdTs(), r.isGuest(), r.isAdmin(), r.deactivated(), r.userType(), r.erased()));
    }

    @Override
    public Account checkPassword(String localpart, String password) {
        Optional<AccountsTable.Row> row = db.read(c -> AccountsTable.select(c, localpart));
        boolean ok = row.isPresent() && !row.get().deactivated() && row.get().passwordHash().isPresent()
                && hasher.verify(password, row.get().passwordHash().get());
        if (!ok) {
            if (row.isEmpty()) hasher.hash(password); // why: as slow for unknown users as for known ones
            throw MatrixException.forbidden("Invalid username or password");
        }
        if (hasher.needsRehash(row.get().passwordHash().get())) {
            String upgraded = hasher.hash(password);
            db.write(c -> { AccountsTable.setPasswordHash(c, localpart, Optional.of(upgraded)); return null; });
        }
        AccountsTable.Row r = row.get();
        return new Account(userId(localpart), localpart, r.createdTs(), r.isGuest(), r.isAdmin(), false, r.userType(), r.erased());
    }

    @Override
    public void setPassword(String localpart, String newPassword) {
        String hash = hasher.hash(newPassword);
        db.write(c -> { AccountsTable.setPasswordHash(c, localpart, Optional.of(hash)); return null; });
        log.info("password changed for {}", userId(localpart));
    }

    @Override
    public void deactivate(String localpart, boolean erase) {
        long now = now();
        List<String> hashes = db.write(c -> {
            List<String> gone = TokensTables.accessHashesOfUser(c, localpart);
            AccountsTable.deactivate(c, localpart);
            TokensTables.deleteAllOfUser(c, localpart);
            for (DevicesTable.Row d : DevicesTable.selectAll(c, localpart)) {
                DevicesTable.delete(c, localpart, d.deviceId());
                deviceRemovalHook.removed(c, userId(localpart), d.deviceId());
            }
            ThreepidsTable.deleteAll(c, localpart);
            AccountsTable.markRoomsPending(c, localpart);
            // why: no pushers table exists yet (pushers are a later issue); their removal belongs here when it does
            if (erase) {
                // why (Synapse's erasure): the profile goes, so the leave events that follow carry no name or avatar
                ProfilesTable.deleteAll(c, localpart);
                AccountDataTable.deleteAll(c, localpart);
                AccountsTable.markErased(c, localpart, now);
            }
            return gone;
        });
        revoke(hashes);
        if (erase) erasedCache.invalidateAll();
        log.info("deactivated account {} (erase={})", userId(localpart), erase);
    }

    @Override
    public List<String> usersLeavingRooms() {
        return db.read(AccountsTable::roomsPending).stream().map(this::userId).toList();
    }

    @Override
    public void roomsLeft(String localpart) {
        db.write(c -> { AccountsTable.clearRoomsPending(c, localpart); return null; });
    }

    @Override
    public boolean isErased(String userId) {
        String suffix = ":" + settings.serverName();
        if (!userId.startsWith("@") || !userId.endsWith(suffix)) return false;
        Set<String> erased = erasedCache.get("all", k -> Set.copyOf(db.read(AccountsTable::erased)));
        return erased.contains(userId.substring(1, userId.length() - suffix.length()));
    }

    @Override
    public void setAdmin(String localpart, boolean admin) {
        db.write(c -> { AccountsTable.setAdmin(c, localpart, admin); return null; });
        revokeAllCached(); // why: cached requesters carry the admin flag
    }

    // Devices and tokens

    @Override
    public LoginResult login(String localpart, Optional<String> deviceId, Optional<String> initialDisplayName,
            boolean refreshable, String ip, Optional<String> userAgent) {
        String device = deviceId.orElseGet(tokens::newDeviceId);
        String accessToken = tokens.newToken("myl_");
        Optional<String> refreshToken = refreshable ? Optional.of(tokens.newToken("mylr_")) : Optional.empty();
        long now = now();
        Optional<Long> expires = refreshable ? Optional.of(now + settings.refreshableTokenLifetime().toMillis()) : Optional.empty();
        List<String> replaced = db.write(c -> {
            AccountsTable.select(c, localpart)
                    .filter(a -> !a.deactivated())
                    .orElseThrow(() -> MatrixException.forbidden("The account is deactivated"));
            // why: logging in again with an existing device ID replaces that device's old tokens (spec: /login)
            List<String> old = TokensTables.accessHashesOfDevice(c, localpart, device);
            TokensTables.deleteDeviceTokens(c, localpart, device);
            DevicesTable.upsert(c, localpart, device, initialDisplayName, now, ip, userAgent);
            TokensTables.insertAccess(c, Tokens.hash(accessToken), localpart, device, now, expires, Optional.empty());
            if (refreshToken.isPresent()) TokensTables.insertRefresh(c, Tokens.hash(refreshToken.get()), localpart, device, now);
            return old;
        });
        revoke(replaced);
        log.info("new session for {} on device {}", userId(localpart), device);
        return new LoginResult(userId(localpart), device, accessToken, refreshToken,
                expires.map(e -> e - now));
    }

    @Override
    public TokenLookup lookupAccessToken(String accessToken, String ip, Optional<String> userAgent) {
        String hash = Tokens.hash(accessToken);
        CachedToken cached = tokenCache.getIfPresent(hash);
        if (cached == null) {
            Optional<CachedToken> loaded = loadToken(hash);
            if (loaded.isEmpty()) return new TokenLookup.Unknown();
            cached = loaded.get();
            tokenCache.put(hash, cached);
        }
        long now = now();
        if (cached.expiresTs().isPresent() && cached.expiresTs().get() <= now) return new TokenLookup.Expired();
        long last = cached.lastSeenWritten().get();
        if (now - last >= LAST_SEEN_WRITE_INTERVAL_MS && cached.lastSeenWritten().compareAndSet(last, now)) {
            Requester r = cached.requester();
            db.write(c -> { DevicesTable.touch(c, r.localpart(), r.deviceId(), now, ip, userAgent); return null; });
        }
        return new TokenLookup.Valid(cached.requester());
    }

    private Optional<CachedToken> loadToken(String hash) {
        Optional<TokensTables.AccessToken> row = db.read(c -> TokensTables.selectAccess(c, hash));
        if (row.isEmpty()) return Optional.empty();
        TokensTables.AccessToken t = row.get();
        Optional<AccountsTable.Row> account = db.read(c -> AccountsTable.select(c, t.localpart()));
        if (account.isEmpty() || account.get().deactivated()) return Optional.empty();
        if (t.previousRefreshHash().isPresent()) {
            // why: spec /refresh — the old refresh token stays usable until the new access token is first used
            String previous = t.previousRefreshHash().get();
            List<String> stale = db.write(c -> {
                TokensTables.deleteRefresh(c, previous);
                List<String> older = TokensTables.accessHashesIssuedWith(c, previous);
                older.remove(hash);
                for (String o : older) TokensTables.deleteAccess(c, o);
                TokensTables.clearPreviousRefresh(c, hash);
                return older;
            });
            revoke(stale);
        }
        AccountsTable.Row a = account.get();
        Requester requester = new Requester(userId(t.localpart()), t.localpart(), t.deviceId(), a.isGuest(), a.isAdmin());
        return Optional.of(new CachedToken(requester, t.expiresTs(), new AtomicLong(0)));
    }

    @Override
    public LoginResult refresh(String refreshToken) {
        String oldHash = Tokens.hash(refreshToken);
        String accessToken = tokens.newToken("myl_");
        String newRefresh = tokens.newToken("mylr_");
        long now = now();
        long expires = now + settings.refreshableTokenLifetime().toMillis();
        TokensTables.RefreshToken owner = db.write(c -> {
            TokensTables.RefreshToken r = TokensTables.selectRefresh(c, oldHash)
                    .orElseThrow(() -> new MatrixException("M_UNKNOWN_TOKEN", "Unknown refresh token", 401,
                            Map.of("soft_logout", false)));
            TokensTables.insertAccess(c, Tokens.hash(accessToken), r.localpart(), r.deviceId(), now, Optional.of(expires),
                    Optional.of(oldHash));
            TokensTables.insertRefresh(c, Tokens.hash(newRefresh), r.localpart(), r.deviceId(), now);
            return r;
        });
        return new LoginResult(userId(owner.localpart()), owner.deviceId(), accessToken, Optional.of(newRefresh),
                Optional.of(expires - now));
    }

    @Override
    public void deleteDevice(String localpart, String deviceId) {
        List<String> hashes = db.write(c -> {
            List<String> gone = TokensTables.accessHashesOfDevice(c, localpart, deviceId);
            TokensTables.deleteDeviceTokens(c, localpart, deviceId);
            DevicesTable.delete(c, localpart, deviceId);
            deviceRemovalHook.removed(c, userId(localpart), deviceId);
            return gone;
        });
        revoke(hashes);
        log.info("deleted device {} of {}", deviceId, userId(localpart));
    }

    @Override
    public void deleteAllDevices(String localpart, Optional<String> keep) {
        for (Device d : devices(localpart)) {
            if (keep.isEmpty() || !keep.get().equals(d.deviceId())) deleteDevice(localpart, d.deviceId());
        }
    }

    @Override
    public List<Device> devices(String localpart) {
        return db.read(c -> DevicesTable.selectAll(c, localpart)).stream().map(this::toDevice).toList();
    }

    @Override
    public Optional<Device> device(String localpart, String deviceId) {
        return db.read(c -> DevicesTable.select(c, localpart, deviceId)).map(this::toDevice);
    }

    private Device toDevice(DevicesTable.Row r) {
        return new Device(userId(r.localpart()), r.deviceId(), r.displayName(), r.lastSeenIp(), r.lastSeenTs());
    }

    @Override
    public boolean renameDevice(String localpart, String deviceId, Optional<String> displayName) {
        return db.write(c -> DevicesTable.rename(c, localpart, deviceId, displayName));
    }

    @Override
    public String createLoginToken(String localpart, long lifetimeMs) {
        String token = tokens.newToken("myll_");
        long expires = now() + lifetimeMs;
        db.write(c -> { TokensTables.insertLogin(c, Tokens.hash(token), localpart, expires); return null; });
        return token;
    }

    @Override
    public String consumeLoginToken(String token) {
        long now = now();
        return db.write(c -> TokensTables.consumeLogin(c, Tokens.hash(token), now))
                .orElseThrow(() -> MatrixException.forbidden("The login token is unknown, used or expired"));
    }

    @Override
    public String createOpenIdToken(String localpart, long lifetimeMs) {
        String token = tokens.newToken("myloid_");
        long expires = now() + lifetimeMs;
        db.write(c -> { TokensTables.insertOpenId(c, Tokens.hash(token), localpart, expires); return null; });
        return token;
    }

    @Override
    public Optional<String> openIdUser(String token) {
        long now = now();
        return db.read(c -> TokensTables.selectOpenId(c, Tokens.hash(token), now)).map(this::userId);
    }

    // Profiles

    @Override
    public Optional<ObjectNode> profile(String localpart) {
        return db.read(c -> {
            if (AccountsTable.select(c, localpart).isEmpty()) return Optional.<ObjectNode>empty();
            ObjectNode out = Json.MAPPER.createObjectNode();
            ProfilesTable.select(c, localpart).forEach((field, json) -> out.set(field, Json.MAPPER.readTree(json)));
            return Optional.of(out);
        });
    }

    @Override
    public void setProfileField(String localpart, String field, Optional<JsonNode> value) {
        db.write(c -> {
            if (value.isEmpty() || value.get().isNull()) {
                ProfilesTable.delete(c, localpart, field);
            } else {
                ProfilesTable.upsert(c, localpart, field, Json.write(value.get()));
                // why: spec caps a profile at 64 KiB; checked inside the transaction so concurrent writes cannot pass it
                if (ProfilesTable.size(c, localpart) > 65_536) {
                    throw new MatrixException("M_PROFILE_TOO_LARGE", "The profile would exceed 64 KiB", 400);
                }
            }
            return null;
        });
    }

    // Account data, filters, push rules

    @Override
    public Optional<ObjectNode> accountData(String localpart, Optional<String> roomId, String type) {
        if (roomId.isEmpty() && type.equals(PUSH_RULES_TYPE)) {
            return Optional.of(pushRulesDocument(localpart));
        }
        return db.read(c -> AccountDataTable.select(c, localpart, roomId.orElse(""), type)).map(Json::readObject);
    }

    @Override
    public void setAccountData(String localpart, Optional<String> roomId, String type, ObjectNode content) {
        String json = Json.write(content);
        db.write(c -> {
            long pos = AccountDataTable.upsert(c, localpart, roomId.orElse(""), type, json);
            clientDataChanged(c, localpart, roomId.orElse(""), type, pos);
            return null;
        });
        accountDataChanged(localpart);
    }

    @Override
    public List<UserProfile> searchLocalUsers(String term, int limit) {
        String needle = term.toLowerCase(java.util.Locale.ROOT).trim();
        List<UserProfile> out = new ArrayList<>();
        for (ProfilesTable.Match m : db.read(c -> ProfilesTable.search(c, needle, limit))) {
            out.add(new UserProfile(userId(m.localpart()), jsonString(m.displayNameJson()), jsonString(m.avatarUrlJson())));
        }
        return out;
    }

    private static String jsonString(String json) {
        if (json == null) return null;
        JsonNode node = Json.MAPPER.readTree(json);
        return node.isString() ? node.stringValue() : null;
    }

    @Override
    public long accountDataPosition() {
        return db.read(AccountDataTable::head);
    }

    @Override
    public List<AccountDataChange> accountDataChanges(String localpart, long after, long upTo) {
        List<AccountDataChange> out = new ArrayList<>();
        for (AccountDataTable.Change ch : db.read(c -> AccountDataTable.changes(c, localpart, after, upTo))) {
            ObjectNode content = ch.roomId().isEmpty() && ch.type().equals(PUSH_RULES_TYPE)
                    ? pushRulesDocument(localpart) : Json.readObject(ch.contentJson());
            out.add(new AccountDataChange(ch.roomId(), ch.type(), content, ch.position()));
        }
        return out;
    }

    /**
     * Calls {@code listener} with the user ID after each committed account data change (sync wakes long polls
     * with it; in-process only, sync re-reads positions so a missed call only delays delivery to the next poll).
     */
    public void onAccountDataChange(Consumer<String> listener) {
        accountDataListeners.add(listener);
    }

    /** The stream record of one account data write, in its transaction (the outbox). */
    private void clientDataChanged(java.sql.Connection tx, String localpart, String roomId, String type, long pos)
            throws java.sql.SQLException {
        if (clientData.isPresent()) {
            String userId = userId(localpart);
            clientData.get().append(tx, userId, new OutputClientData(userId, roomId, type, pos));
        }
    }

    private void accountDataChanged(String localpart) {
        String userId = userId(localpart);
        for (Consumer<String> l : accountDataListeners) l.accept(userId);
    }

    @Override
    public Map<String, Map<String, ObjectNode>> allAccountData(String localpart) {
        Map<String, Map<String, ObjectNode>> out = new LinkedHashMap<>();
        for (AccountDataTable.Row r : db.read(c -> AccountDataTable.selectAll(c, localpart))) {
            out.computeIfAbsent(r.roomId(), k -> new LinkedHashMap<>()).put(r.type(), Json.readObject(r.contentJson()));
        }
        out.computeIfAbsent("", k -> new LinkedHashMap<>()).put(PUSH_RULES_TYPE, pushRulesDocument(localpart));
        return out;
    }

    @Override
    public String createFilter(String localpart, ObjectNode filter) {
        String json = Json.write(filter);
        return Long.toString(db.write(c -> FiltersTable.insert(c, localpart, json)));
    }

    @Override
    public Optional<ObjectNode> filter(String localpart, String filterId) {
        long id;
        try {
            id = Long.parseLong(filterId);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return db.read(c -> FiltersTable.select(c, localpart, id)).map(Json::readObject);
    }

    private ObjectNode pushRulesDocument(String localpart) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.set("global", pushRules(localpart));
        return doc;
    }

    @Override
    public ObjectNode pushRules(String localpart) {
        Optional<ObjectNode> stored = db.read(c -> AccountDataTable.select(c, localpart, "", PUSH_RULES_TYPE))
                .map(Json::readObject)
                .flatMap(doc -> doc.get("global") instanceof ObjectNode g ? Optional.of(g) : Optional.empty());
        return PushRules.merged(userId(localpart), stored);
    }

    @Override
    public List<Notification> notifications(String localpart, Optional<Long> before, int limit,
            boolean onlyHighlights) {
        // why: the notification tables are a migration set of their own, applied once push evaluation starts
        if (!notificationsMigrated) {
            Migrations.apply(db, PushNotifications.MIGRATIONS);
            notificationsMigrated = true;
        }
        List<Notification> out = new ArrayList<>();
        for (var row : db.read(c -> NotificationsTable.page(c, userId(localpart),
                before.orElse(Long.MAX_VALUE), limit, onlyHighlights))) {
            out.add(new Notification(row.id(), row.roomId(), row.eventId(), row.eventNid(),
                    (ArrayNode) Json.MAPPER.readTree(row.actionsJson()), row.ts(), row.read()));
        }
        return out;
    }

    private volatile boolean notificationsMigrated;

    @Override
    public ObjectNode pushRule(String localpart, String kind, String ruleId) {
        return PushRules.rule(pushRules(localpart), kind, ruleId);
    }

    @Override
    public void putPushRule(String localpart, String kind, String ruleId, ObjectNode body, Optional<String> before,
            Optional<String> after) {
        editPushRules(localpart, rules -> PushRules.put(rules, kind, ruleId, body, before, after));
    }

    @Override
    public void deletePushRule(String localpart, String kind, String ruleId) {
        editPushRules(localpart, rules -> PushRules.delete(rules, kind, ruleId));
    }

    @Override
    public void setPushRuleEnabled(String localpart, String kind, String ruleId, boolean enabled) {
        editPushRules(localpart, rules -> PushRules.setEnabled(rules, kind, ruleId, enabled));
    }

    @Override
    public void setPushRuleActions(String localpart, String kind, String ruleId, ArrayNode actions) {
        editPushRules(localpart, rules -> PushRules.setActions(rules, kind, ruleId, actions));
    }

    /** Read, change and store the user's ruleset in one write transaction, so concurrent edits cannot lose one. */
    private void editPushRules(String localpart, Consumer<ObjectNode> change) {
        db.write(c -> {
            Optional<ObjectNode> stored = AccountDataTable.select(c, localpart, "", PUSH_RULES_TYPE)
                    .map(Json::readObject)
                    .flatMap(doc -> doc.get("global") instanceof ObjectNode g ? Optional.of(g) : Optional.empty());
            ObjectNode rules = PushRules.merged(userId(localpart), stored);
            change.accept(rules);
            ObjectNode doc = Json.MAPPER.createObjectNode();
            doc.set("global", rules);
            long pos = AccountDataTable.upsert(c, localpart, "", PUSH_RULES_TYPE, Json.write(doc));
            clientDataChanged(c, localpart, "", PUSH_RULES_TYPE, pos);
            return null;
        });
        accountDataChanged(localpart);
    }

    @Override
    public List<Map<String, Object>> threepids(String localpart) {
        return db.read(c -> ThreepidsTable.select(c, localpart));
    }

    @Override
    public boolean deleteThreepid(String localpart, String medium, String address) {
        boolean deleted = db.write(c -> ThreepidsTable.delete(c, localpart, medium, address));
        if (deleted) log.info("removed a {} identifier from {}", medium, userId(localpart));
        return deleted;
    }

    // Registration tokens

    @Override
    public List<RegistrationToken> registrationTokens(Optional<Boolean> valid) {
        long now = now();
        List<RegistrationToken> all = db.read(RegistrationTokensTable::selectAll);
        if (valid.isEmpty()) return all;
        List<RegistrationToken> out = new ArrayList<>();
        for (RegistrationToken t : all) if (isValid(t, now) == valid.get()) out.add(t);
        return out;
    }

    @Override
    public Optional<RegistrationToken> registrationToken(String token) {
        return db.read(c -> RegistrationTokensTable.select(c, token));
    }

    private static final String TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-";

    @Override
    public RegistrationToken createRegistrationToken(Optional<String> token, int length, Optional<Integer> usesAllowed,
            Optional<Long> expiryTime) {
        String value = token.orElseGet(() -> {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < length; i++) sb.append(TOKEN_ALPHABET.charAt(random.nextInt(TOKEN_ALPHABET.length())));
            return sb.toString();
        });
        boolean created = db.write(c -> RegistrationTokensTable.insert(c, value, usesAllowed, expiryTime));
        if (!created) throw invalidRegistrationTokenParam("The registration token already exists");
        return new RegistrationToken(value, usesAllowed, 0, 0, expiryTime);
    }

    private static MatrixException invalidRegistrationTokenParam(String message) {
        return MatrixException.invalidParam(message);
    }

    @Override
    public RegistrationToken updateRegistrationToken(String token, Optional<Optional<Integer>> usesAllowed,
            Optional<Optional<Long>> expiryTime) {
        return db.write(c -> {
            RegistrationToken t = RegistrationTokensTable.select(c, token)
                    .orElseThrow(() -> MatrixException.notFound("No such registration token"));
            Optional<Integer> uses = usesAllowed.orElse(t.usesAllowed());
            Optional<Long> expiry = expiryTime.orElse(t.expiryTime());
            RegistrationTokensTable.update(c, token, uses, expiry);
            return new RegistrationToken(token, uses, t.pending(), t.completed(), expiry);
        });
    }

    @Override
    public void deleteRegistrationToken(String token) {
        if (!db.write(c -> RegistrationTokensTable.delete(c, token))) throw MatrixException.notFound("No such registration token");
    }

    @Override
    public boolean registrationTokenValid(String token) {
        long now = now();
        return db.read(c -> RegistrationTokensTable.select(c, token)).map(t -> isValid(t, now)).orElse(false);
    }

    @Override
    public boolean reserveRegistrationToken(String token) {
        long now = now();
        return db.write(c -> {
            Optional<RegistrationToken> t = RegistrationTokensTable.select(c, token);
            if (t.isEmpty() || !isValid(t.get(), now)) return false;
            RegistrationTokensTable.addPending(c, token, 1);
            return true;
        });
    }

    @Override
    public void releaseRegistrationToken(String token) {
        db.write(c -> { RegistrationTokensTable.releaseOne(c, token); return null; });
    }

    @Override
    public void completeRegistrationToken(String token) {
        db.write(c -> { RegistrationTokensTable.completeOne(c, token); return null; });
    }

    private static boolean isValid(RegistrationToken t, long now) {
        boolean usesLeft = t.usesAllowed().isEmpty() || t.pending() + t.completed() < t.usesAllowed().get();
        boolean unexpired = t.expiryTime().isEmpty() || t.expiryTime().get() > now;
        return usesLeft && unexpired;
    }
}
