package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.clientapi.auth.UserInteractiveAuth;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.Router;
import dev.myelin.userapi.api.UserApi;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * The client API's account and session endpoints, put on a router in one place (over the clientapi database,
 * which holds UIA sessions, and the user API): registration, login, account,
 * devices, profiles, account data, tags, filters, push rules, the small settings endpoints and the
 * Synapse-compatible admin API.
 */
public final class ClientApi {
    private ClientApi() {}

    /**
     * Finishes deactivations a crash interrupted: deactivated users still listed as leaving their rooms leave them
     * now (call once at start-up, off the start-up path); returns how many users were finished.
     */
    public static int resumeDeactivations(UserApi users, AccountRooms rooms) {
        return AccountRoutes.resumeDeactivations(users, rooms);
    }

    /** Adds every endpoint of this component to {@code router}. */
    public static void addRoutes(Router router, Database clientDb, UserApi users, ClientApiSettings settings, Clock clock,
            SecureRandom random) {
        addRoutes(router, clientDb, users, settings, clock, random, AccountRooms.NONE);
    }

    /**
     * Adds every endpoint of this component to {@code router}; {@code rooms} hears of each change of a user's
     * display name or avatar (the roomserver updates their membership events with it) and of each deactivation
     * (the user leaves every room).
     */
    public static void addRoutes(Router router, Database clientDb, UserApi users, ClientApiSettings settings, Clock clock,
            SecureRandom random, AccountRooms rooms) {
        Authenticator auth = new Authenticator(users);
        UserInteractiveAuth uia = new UserInteractiveAuth(clientDb, random, clock);
        RateLimiter loginLimiter = new RateLimiter(settings.loginLimit(), clock);
        RateLimiter registrationLimiter = new RateLimiter(settings.registrationLimit(), clock);
        Sessions sessions = new Sessions(users);

        new RegisterRoutes(users, settings, uia, registrationLimiter, sessions).addTo(router);
        new LoginRoutes(users, auth, uia, loginLimiter, sessions).addTo(router);
        new AccountRoutes(users, auth, uia, loginLimiter, rooms).addTo(router);
        new AuthFallbackRoutes(users, uia, loginLimiter, registrationLimiter).addTo(router);
        new DeviceRoutes(users, auth, uia, loginLimiter).addTo(router);
        new ProfileRoutes(users, auth, rooms::profileChanged).addTo(router);
        new AccountDataRoutes(users, auth).addTo(router);
        new PushRulesRoutes(users, auth).addTo(router);
        new SettingsRoutes(users, auth, settings, clock).addTo(router);
        new AdminRoutes(users, auth, settings, registrationLimiter, random, clock).addTo(router);
    }
}
