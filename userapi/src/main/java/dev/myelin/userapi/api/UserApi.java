package dev.myelin.userapi.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * What other components may ask of the user API: accounts, devices and tokens, profiles, account data, filters
 * and push rules. Refusals are {@code MatrixException}s carrying the error a client should see. In one process
 * these are plain calls; across processes the same interface is served over internal RPC.
 */
public interface UserApi {

    /** The server name local user IDs end with. */
    String serverName();

    // Accounts

    /** Whether {@code localpart} is free and acceptable for a new account; throws M_INVALID_USERNAME / M_USER_IN_USE. */
    void checkUsernameAvailable(String localpart);

    /** Creates an account; {@code password} may be empty (no password login). Throws M_USER_IN_USE when taken. */
    default Account createAccount(String localpart, Optional<String> password, boolean isGuest, boolean isAdmin) {
        return createAccount(localpart, password, isGuest, isAdmin, Optional.empty());
    }

    /** As {@link #createAccount(String, Optional, boolean, boolean)}, with Synapse's {@code user_type} stored. */
    Account createAccount(String localpart, Optional<String> password, boolean isGuest, boolean isAdmin,
            Optional<String> userType);

    /** Turns a guest account into a full one with {@code password} (the guest keeps its user ID); M_FORBIDDEN if not a guest. */
    Account upgradeGuest(String localpart, String password);

    /** The next free numeric localpart, for guests and registrations without a username. */
    String generateLocalpart();

    Optional<Account> account(String localpart);

    /** Checks a password login: the account if {@code password} is right and the account active, else M_FORBIDDEN. */
    Account checkPassword(String localpart, String password);

    void setPassword(String localpart, String newPassword);

    /**
     * Deactivates the account: tokens, devices and 3PIDs are removed at once; with {@code erase}, the profile and
     * account data too, and the user is recorded as erased ({@link #isErased}). Leaving rooms is the caller's part:
     * the user is listed by {@link #usersLeavingRooms} until the caller reports {@link #roomsLeft}.
     */
    void deactivate(String localpart, boolean erase);

    /** Deactivated users (IDs) whose rooms have not all been left yet, e.g. after a crash during deactivation. */
    List<String> usersLeavingRooms();

    /** The deactivated user has left their rooms. */
    void roomsLeft(String localpart);

    /** Whether {@code userId} is a local user who deactivated with erasure (their events are served redacted). */
    boolean isErased(String userId);

    void setAdmin(String localpart, boolean admin);

    // Devices and tokens

    /**
     * Creates (or, with an existing {@code deviceId}, takes over) a device and issues its access token; with
     * {@code refreshable}, the access token expires and a refresh token comes with it.
     */
    LoginResult login(String localpart, Optional<String> deviceId, Optional<String> initialDisplayName, boolean refreshable,
            String ip, Optional<String> userAgent);

    /** Who an access token belongs to; also records last-seen IP and time for the device. */
    TokenLookup lookupAccessToken(String accessToken, String ip, Optional<String> userAgent);

    /** Exchanges a refresh token for a new access token (and refresh token); M_UNKNOWN_TOKEN if unknown. */
    LoginResult refresh(String refreshToken);

    /** Removes the device and every token of it. */
    void deleteDevice(String localpart, String deviceId);

    /** Removes all devices (and tokens) of the user, except {@code keep} when given. */
    void deleteAllDevices(String localpart, Optional<String> keep);

    List<Device> devices(String localpart);

    Optional<Device> device(String localpart, String deviceId);

    /** Renames a device; false when the user has no such device. */
    boolean renameDevice(String localpart, String deviceId, Optional<String> displayName);

    /** A short-lived single-use token for {@code m.login.token}; returns the token. */
    String createLoginToken(String localpart, long lifetimeMs);

    /** Consumes an {@code m.login.token}: the owner's localpart, or M_FORBIDDEN if unknown, used or expired. */
    String consumeLoginToken(String token);

    /** An OpenID token proving the user's identity to a third party. */
    String createOpenIdToken(String localpart, long lifetimeMs);

    /** The user an unexpired OpenID token was issued to. */
    Optional<String> openIdUser(String token);

    // Profiles

    /** Every profile field of a user (displayname, avatar_url, custom fields) as JSON values; empty if no such user. */
    Optional<ObjectNode> profile(String localpart);

    /**
     * Active local users (not guests) whose localpart or display name contains {@code term}, case-insensitively,
     * by localpart, at most {@code limit} (for a user directory that lists every local user).
     */
    List<UserProfile> searchLocalUsers(String term, int limit);

    /** Sets one profile field (null value removes it). */
    void setProfileField(String localpart, String field, Optional<tools.jackson.databind.JsonNode> value);

    // Account data, filters, push rules

    /** Global ({@code roomId} empty) or per-room account data of one type. */
    Optional<ObjectNode> accountData(String localpart, Optional<String> roomId, String type);

    void setAccountData(String localpart, Optional<String> roomId, String type, ObjectNode content);

    /** Every account data of the user: room ID ("" for global) → type → content. */
    Map<String, Map<String, ObjectNode>> allAccountData(String localpart);

    /** The latest account data position (every write of any user's account data takes the next one). */
    long accountDataPosition();

    /**
     * The user's account data entries written after position {@code after} up to {@code upTo}, each with its
     * current content (what {@code /sync} sends as changed account data).
     */
    List<AccountDataChange> accountDataChanges(String localpart, long after, long upTo);

    String createFilter(String localpart, ObjectNode filter);

    Optional<ObjectNode> filter(String localpart, String filterId);

    /** The user's push rules: the spec's defaults merged with the user's own rules and changes. */
    ObjectNode pushRules(String localpart);

    /** One rule of the user's push rules; 404 M_NOT_FOUND if there is none. */
    ObjectNode pushRule(String localpart, String kind, String ruleId);

    /** Adds or changes a user-defined rule ({@code PUT /pushrules/global/{kind}/{ruleId}} with before/after). */
    void putPushRule(String localpart, String kind, String ruleId, ObjectNode body, Optional<String> before,
            Optional<String> after);

    /** Deletes a user-defined rule; 404 if none, 403 for server-default rules. */
    void deletePushRule(String localpart, String kind, String ruleId);

    void setPushRuleEnabled(String localpart, String kind, String ruleId, boolean enabled);

    void setPushRuleActions(String localpart, String kind, String ruleId, tools.jackson.databind.node.ArrayNode actions);

    /**
     * The user's notifications, newest first: those with an ID below {@code before} (all when empty), at most
     * {@code limit}, only highlights when asked.
     */
    List<Notification> notifications(String localpart, Optional<Long> before, int limit, boolean onlyHighlights);

    /** The user's third-party identifiers ({@code medium}, {@code address}, times). */
    List<Map<String, Object>> threepids(String localpart);

    /** Removes one of the user's third-party identifiers; false if the user had no such identifier. */
    boolean deleteThreepid(String localpart, String medium, String address);

    // Registration tokens

    List<RegistrationToken> registrationTokens(Optional<Boolean> valid);

    Optional<RegistrationToken> registrationToken(String token);

    RegistrationToken createRegistrationToken(Optional<String> token, int length, Optional<Integer> usesAllowed,
            Optional<Long> expiryTime);

    RegistrationToken updateRegistrationToken(String token, Optional<Optional<Integer>> usesAllowed,
            Optional<Optional<Long>> expiryTime);

    void deleteRegistrationToken(String token);

    /** Whether the token could be used now (not expired, uses left). */
    boolean registrationTokenValid(String token);

    /** Marks a use as pending (a UIA stage completed with it); false if the token is not valid. */
    boolean reserveRegistrationToken(String token);

    /** Gives back a pending use whose registration was abandoned (its UIA session expired). */
    void releaseRegistrationToken(String token);

    /** Turns a pending use into a completed one, when the registration it was reserved for succeeds. */
    void completeRegistrationToken(String token);
}
