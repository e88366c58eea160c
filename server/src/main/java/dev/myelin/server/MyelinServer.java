package dev.myelin.server;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.clientapi.routing.AccountRooms;
import dev.myelin.clientapi.routing.ClientApi;
import dev.myelin.platform.stream.EphemeralStreams;
import dev.myelin.syncapi.consumers.OutputClientDataConsumer;
import dev.myelin.userapi.api.OutputClientData;
import dev.myelin.clientapi.routing.KeysRoutes;
import dev.myelin.platform.stream.StreamTables;
import dev.myelin.userapi.keys.LocalKeyServer;
import dev.myelin.userapi.keys.OutputKeyChangeEvent;
import dev.myelin.userapi.api.OutputNotificationData;
import dev.myelin.userapi.api.OutputReceiptEvent;
import dev.myelin.userapi.consumers.NotificationConsumers;
import dev.myelin.userapi.internal.PushNotifications;
import dev.myelin.syncapi.consumers.OutputNotificationDataConsumer;
import dev.myelin.clientapi.routing.ClientApiSettings;
import dev.myelin.clientapi.routing.RoomClientApi;
import dev.myelin.platform.stream.DurableStreams;
import dev.myelin.platform.stream.EphemeralStreams;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.roomserver.api.ProfileLookup;
import dev.myelin.roomserver.api.RoomserverApi;
import dev.myelin.roomserver.internal.LocalRoomserver;
import dev.myelin.platform.config.MyelinConfig;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.Databases;
import dev.myelin.platform.http.HttpServer;
import dev.myelin.platform.http.HttpSettings;
import dev.myelin.platform.http.Router;
import dev.myelin.platform.http.ServerInfoRoutes;
import dev.myelin.platform.metrics.Metrics;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.syncapi.consumers.EventStoreSource;
import dev.myelin.syncapi.consumers.OutputRoomEventConsumer;
import dev.myelin.syncapi.internal.IndexedMemberships;
import dev.myelin.syncapi.internal.Notifier;
import dev.myelin.syncapi.todevice.E2eeSync;
import dev.myelin.syncapi.internal.SyncComponent;
import dev.myelin.userapi.api.UserApi;
import dev.myelin.userapi.internal.LocalUserApi;
import dev.myelin.userapi.internal.UserApiSettings;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One running Myelin process: wires the chosen components onto the HTTP listeners. This is where start-up
 * happens, in order; a reader follows it from {@link #start}.
 */
public final class MyelinServer implements AutoCloseable {
    /** How long a stop waits for requests in flight before closing them. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final MyelinConfig config;
    private final HttpServer http;
    private final List<Database> databases;
    private final List<AutoCloseable> services;

    private MyelinServer(MyelinConfig config, HttpServer http, List<Database> databases, List<AutoCloseable> services) {
        this.config = config;
        this.http = http;
        this.databases = databases;
        this.services = services;
    }

    /**
     * Starts the listeners with the routes of {@code components}.
     *
     * @throws HttpServer.StartException when a listener cannot start (port taken, bad TLS files)
     */
    public static MyelinServer start(MyelinConfig config, SigningKey signingKey, Set<Component> components)
            throws HttpServer.StartException {
        List<Database> databases = new ArrayList<>();
        List<AutoCloseable> services = new ArrayList<>();
        try {
            return assemble(config, signingKey, components, databases, services);
        } catch (HttpServer.StartException | RuntimeException e) {
            // why: a start that fails half-way (a bad config section, a port taken) must not leave stream
            // consumers running over databases that are about to be deleted or reopened
            services.reversed().forEach(MyelinServer::closeQuietly);
            databases.forEach(Database::close);
            throw e;
        }
    }

    private static MyelinServer assemble(MyelinConfig config, SigningKey signingKey, Set<Component> components,
            List<Database> databases, List<AutoCloseable> services) throws HttpServer.StartException {
        Metrics metrics = config.metricsEnabled() ? Metrics.prometheus() : Metrics.disabled();

        Router router = new Router();
        ServerInfoRoutes.addVersions(router);
        if (config.serveWellKnown()) ServerInfoRoutes.addWellKnown(router, config.publicBaseUrl(), config.wellKnownServer());
        ServerInfoRoutes.addMetrics(router, metrics);
        // Components add their routes here as they are built (clientapi, syncapi, federationapi, mediaapi …),
        // each given the router, the metrics registry, the signing key and its database.
        Clock clock = Clock.systemUTC();
        SecureRandom random = new SecureRandom();
        DurableStreams streams = StreamsFactory.open(config.streams());
        services.add(streams);

        // userapi (accounts, devices, tokens, profiles, account data, push rules) and the clientapi routes over it.
        // why: until internal RPC exists, a process serving clientapi runs its own userapi over the shared database
        UserApi users = null;
        if (components.contains(Component.USERAPI) || components.contains(Component.CLIENTAPI) || components.contains(Component.MEDIAAPI)
                || components.contains(Component.ROOMSERVER) || components.contains(Component.SYNCAPI)) {
            Database userDb = Databases.open(config.database(), "userapi");
            databases.add(userDb);
            LocalUserApi localUsers = new LocalUserApi(userDb, UserApiSettings.defaults(config.serverName()), clock, random);
            users = localUsers;
            // the key server (E2EE) inside userapi: key changes go out through userapi's outbox
            StreamTables.migrate(userDb);
            LocalKeyServer keys = new LocalKeyServer(userDb, streams.producer(OutputKeyChangeEvent.STREAM, userDb),
                    config.serverName(), clock);
            localUsers.onDeviceRemoved(keys::deviceRemoved);
            // account data changes go out through userapi's outbox (OutputClientData); revoked access tokens are
            // told to every process's token cache over an ephemeral stream
            localUsers.publishClientData(streams.producer(OutputClientData.STREAM, userDb));
            EphemeralStreams ephemeral = StreamsFactory.openEphemeral(config.streams());
            services.add(ephemeral);
            services.add(localUsers.shareTokenRevocations(ephemeral));
            // roomserver (the room graph, the only writer of room state).
            // why: until internal RPC exists, a process serving clientapi runs the roomserver over the shared database
            RoomserverApi rooms = null;
            if (components.contains(Component.ROOMSERVER) || components.contains(Component.CLIENTAPI)
                    || components.contains(Component.SYNCAPI)) {
                Database roomDb = Databases.open(config.database(), "roomserver");
                databases.add(roomDb);
                rooms = new LocalRoomserver(roomDb, streams, new LocalRoomserver.Settings(config.serverName(),
                        signingKey, RoomVersions.get(config.rooms().defaultRoomVersion())), profiles(users), clock, random);
            }
            java.util.concurrent.atomic.AtomicReference<dev.myelin.clientapi.routing.Annotations> annotations =
                    new java.util.concurrent.atomic.AtomicReference<>(dev.myelin.clientapi.routing.Annotations.NONE);
            // push notifications (userapi): each new room event against the push rules of the local members it concerns;
            // unread counts go to sync on OutputNotificationData, read receipts come back on OutputReceiptEvent.
            // why here: a stream's producer must exist before its consumers subscribe (sync's, below); and until
            // internal RPC exists, push runs in the process that serves sync, which has the receipts' producer
            PushNotifications push = null;
            if (rooms != null && components.contains(Component.USERAPI) && components.contains(Component.SYNCAPI)) {
                push = new PushNotifications(userDb, rooms.events(), rooms::stateBefore, users,
                        streams.producer(OutputNotificationData.STREAM, userDb), clock);
                localUsers.onAccountDataChange(push::rulesChanged);
            }
            if (components.contains(Component.CLIENTAPI)) {
                Database clientDb = Databases.open(config.database(), "clientapi");
                databases.add(clientDb);
                AccountRooms accountRooms = AccountRooms.of(rooms);
                ClientApi.addRoutes(router, clientDb, users, clientApiSettings(config), clock, random, accountRooms);
                UserApi usersForResume = users;
                // why off the start-up path: leaving many rooms takes time; nothing else waits for it
                Thread.ofVirtual().name("resume-deactivations").start(() -> {
                    try {
                        ClientApi.resumeDeactivations(usersForResume, accountRooms);
                    } catch (RuntimeException e) {
                        org.slf4j.LoggerFactory.getLogger(MyelinServer.class).warn("resuming deactivations failed: {}", e.toString());
                    }
                });
                KeysRoutes.addRoutes(router, clientDb, users, keys, clientApiSettings(config), clock, random);
                // why: syncapi (built below, when this process runs it) keeps the relations index the duplicate
                // annotation check reads; until then, and without syncapi here, annotations are sent unchecked
                RoomClientApi.addRoutes(router, users, rooms, a -> annotations.get().alreadySent(a));
            }
            // syncapi: its indexes fed by the OutputRoomEvent stream, reading event JSON from the roomserver's
            // event store; /sync and the history routes. why: it reads the event store in process until RPC exists
            if (components.contains(Component.SYNCAPI)) {
                Database syncDb = Databases.open(config.database(), SyncComponent.DATABASE);
                databases.add(syncDb);
                EventStoreSource source = new EventStoreSource(rooms.events(), users::isErased);
                Notifier notifier = new Notifier();
                // E2EE in sync: to-device inboxes, device lists and key counts, as sync extensions
                E2eeSync e2ee = E2eeSync.create(syncDb, users, keys, new IndexedMemberships(syncDb), notifier, source, clock);
                SyncComponent sync = new SyncComponent(syncDb, source, users, notifier, e2ee.extensions(), clock,
                        syncSettings(config),
                        push == null ? Optional.empty() : Optional.of(streams.producer(OutputReceiptEvent.STREAM, syncDb)),
                        ephemeral);
                services.add(sync);
                annotations.set(sync.annotations());
                // why: account data lives in the userapi; its OutputClientData stream wakes the user's long polls
                OutputClientDataConsumer.declare(streams);
                OutputRoomEventConsumer.declare(streams);
                E2eeSync.declare(streams);
                OutputRoomEventConsumer.start(streams, syncDb, sync.indexer());
                if (push != null) {
                    OutputNotificationDataConsumer.declare(streams);
                    OutputNotificationDataConsumer.start(streams, syncDb, notifier);
                }
                e2ee.subscribeKeyChanges(streams, syncDb);
                services.add(OutputClientDataConsumer.start(streams, syncDb, notifier));
                e2ee.subscribeRoomEvents(streams, syncDb);
                Authenticator syncAuth = new Authenticator(users);
                sync.addRoutes(router, syncAuth);
                e2ee.addRoutes(router, syncAuth);
            }
            // why: push consumers start last, once the receipt stream's producer (syncapi) exists
            if (push != null) {
                NotificationConsumers.declare(streams);
                NotificationConsumers.start(streams, userDb, push);
            }
        }

        // mediaapi: upload, download, thumbnails, URL previews; files under <data_dir>/media
        if (components.contains(Component.MEDIAAPI)) {
            Database mediaDb = Databases.open(config.database(), "mediaapi");
            databases.add(mediaDb);
            services.add(MediaComponent.start(router, config, mediaDb, users, clock, random));
        }

        List<HttpServer.Listener> listeners = new ArrayList<>();
        listeners.add(HttpServer.Listener.plain(config.listen().host(), config.listen().port()));
        config.federationListen().ifPresent(f -> listeners.add(HttpServer.Listener.tls(
                f.host(), f.port(), config.tlsCert().orElseThrow(), config.tlsKey().orElseThrow())));
        HttpSettings settings = new HttpSettings(config.maxRequestBodySize(), config.corsOrigins(), STOP_TIMEOUT);

        HttpServer http = HttpServer.start(listeners, router, settings, metrics.registry());
        return new MyelinServer(config, http, databases, services);
    }

    /** Syncapi's switches from the configuration ({@code presence}, {@code user_directory}). */
    static SyncComponent.Settings syncSettings(MyelinConfig config) {
        return new SyncComponent.Settings(config.presence().enabled(), config.userDirectory().searchAllUsers());
    }

    /** Display names and avatars for membership events, from the userapi's profiles of local users. */
    static ProfileLookup profiles(UserApi users) {
        String suffix = ":" + users.serverName();
        return new ProfileLookup() {
            @Override
            public Optional<ProfileLookup.Profile> profile(String userId) {
                return localpart(userId).flatMap(users::profile).map(p -> new ProfileLookup.Profile(
                        p.path("displayname").isString() ? p.get("displayname").asString() : null,
                        p.path("avatar_url").isString() ? p.get("avatar_url").asString() : null));
            }

            @Override
            public boolean isGuest(String userId) {
                return localpart(userId).flatMap(users::account).map(dev.myelin.userapi.api.Account::isGuest).orElse(false);
            }

            @Override
            public boolean isErased(String userId) {
                return users.isErased(userId);
            }

            private Optional<String> localpart(String userId) {
                if (!userId.startsWith("@") || !userId.endsWith(suffix)) return Optional.empty();
                return Optional.of(userId.substring(1, userId.length() - suffix.length()));
            }
        };
    }

    /** The client API's account settings from the configuration ({@code registration}, {@code rate_limits}, {@code turn}). */
    static ClientApiSettings clientApiSettings(MyelinConfig config) {
        MyelinConfig.RateLimitsConfig rl = config.rateLimits();
        RateLimiter.Limit login = rl.enabled() ? new RateLimiter.Limit(rl.loginPerMinute() / 60.0, rl.loginBurst()) : RateLimiter.Limit.UNLIMITED;
        RateLimiter.Limit registration = rl.enabled()
                ? new RateLimiter.Limit(rl.registrationPerMinute() / 60.0, rl.registrationBurst()) : RateLimiter.Limit.UNLIMITED;
        MyelinConfig.TurnConfig turn = config.turn();
        return new ClientApiSettings(config.registrationOpen(), config.registration().requiresToken(),
                config.registration().guests(), config.registration().sharedSecret(), login, registration,
                new ClientApiSettings.Turn(turn.uris(), turn.sharedSecret(), Duration.ofSeconds(turn.ttlSeconds())));
    }

    public MyelinConfig config() { return config; }

    /** The HTTP listeners (0: {@code listen}, 1: {@code federation_listen} when configured). */
    public HttpServer http() { return http; }

    /** Stops accepting requests and finishes those in flight (at most {@link #STOP_TIMEOUT}). */
    @Override
    public void close() {
        try {
            http.stop();
        } finally {
            services.reversed().forEach(MyelinServer::closeQuietly);
            databases.forEach(Database::close);
        }
    }

    private static void closeQuietly(AutoCloseable service) {
        try {
            service.close();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(MyelinServer.class).warn("stopping {}: {}", service.getClass().getSimpleName(), e.toString());
        }
    }
}
