package dev.myelin.syncapi.internal;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.stream.EphemeralStreams;
import dev.myelin.platform.http.Router;
import dev.myelin.platform.stream.StreamProducer;
import dev.myelin.syncapi.api.SyncExtension;
import dev.myelin.syncapi.api.SyncMemberships;
import dev.myelin.syncapi.routing.EphemeralRoutes;
import dev.myelin.syncapi.routing.HistoryRoutes;
import dev.myelin.syncapi.routing.MembersRoutes;
import dev.myelin.syncapi.routing.NotificationsRoutes;
import dev.myelin.syncapi.routing.SearchRoutes;
import dev.myelin.syncapi.routing.SyncRoutes;
import dev.myelin.syncapi.routing.UserDirectoryRoutes;
import dev.myelin.userapi.api.OutputReceiptEvent;
import dev.myelin.userapi.api.UserApi;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Syncapi assembled: its indexes over the event store, the notifier, the response engine and the routes. The
 * server builds one per process (with the {@link SyncExtension}s of other components) and feeds
 * {@link #indexer()} from the roomserver's {@code OutputRoomEvent} stream.
 */
public final class SyncComponent implements AutoCloseable {
    /** The component's database (and migration set) name. */
    public static final String DATABASE = "syncapi";

    // why: long enough for a stream hop under load, short enough that a stalled consumer only delays reads
    private static final java.time.Duration READ_BARRIER_WAIT = java.time.Duration.ofSeconds(5);

    private final Notifier notifier;
    private final RoomIndexer indexer;
    private final SyncMemberships memberships;
    private final SyncEngine engine;
    private final UserApi users;
    private final History history;
    private final Database db;
    private final Settings settings;
    private final Relations relations;
    private final Members members;
    private final AnnotationIndex annotations;
    private final Search search;
    private final Typing typing;
    private final Receipts receipts;
    private final Presence presence;
    private final EventRenderer renderer;
    private final RoomEventSource events;

    /**
     * @param notifier   shared with the extensions, which wake polls through it (create it first)
     * @param extensions the {@code /sync} fields other components fill (E2EE)
     */
    public SyncComponent(Database db, RoomEventSource events, UserApi users, Notifier notifier,
                         List<SyncExtension> extensions, Clock clock) {
        this(db, events, users, notifier, extensions, clock, Settings.DEFAULTS);
    }

    /**
     * Syncapi's switches.
     *
     * @param presenceEnabled              false turns presence off (nothing stored or sent; the endpoints answer 403)
     * @param directoryListsAllLocalUsers  the user directory lists every local user, not only those who share a
     *                                     room with the searcher or are in a public room
     */
    public record Settings(boolean presenceEnabled, boolean directoryListsAllLocalUsers, Presence.Timeouts presenceTimeouts) {
        public static final Settings DEFAULTS = new Settings(true, false);

        /** With Synapse's presence timeouts. */
        public Settings(boolean presenceEnabled, boolean directoryListsAllLocalUsers) {
            this(presenceEnabled, directoryListsAllLocalUsers, Presence.Timeouts.DEFAULTS);
        }
    }

    /** With presence changes on an in-process ephemeral stream of this component's own (one process). */
    public SyncComponent(Database db, RoomEventSource events, UserApi users, Notifier notifier,
                         List<SyncExtension> extensions, Clock clock, Settings settings) {
        this(db, events, users, notifier, extensions, clock, settings, Optional.empty(), null);
    }

    /**
     * @param receiptsOut the producer of {@code OutputReceiptEvent} on this database, through which userapi learns
     *                    of read receipts and resets unread counts (empty: counts are never reset)
     * @param ephemeral   the ephemeral streams presence changes go over (every syncapi instance hears every change);
     *                    null: an in-process stream of this component's own
     */
    public SyncComponent(Database db, RoomEventSource events, UserApi users, Notifier notifier,
                         List<SyncExtension> extensions, Clock clock, Settings settings,
                         Optional<StreamProducer<OutputReceiptEvent>> receiptsOut, EphemeralStreams ephemeral) {
        UnreadNotifications.migrate(db);
        this.settings = settings;
        this.events = events;
        boolean presenceEnabled = settings.presenceEnabled();
        this.notifier = notifier;
        this.db = db;
        this.users = users;
        this.indexer = new RoomIndexer(db, events, notifier);
        this.memberships = new IndexedMemberships(db);
        this.typing = new Typing(clock, indexer::wakeRoom);
        this.receipts = new Receipts(db, clock, indexer, receiptsOut);
        this.presence = new Presence(db, clock, presenceEnabled, settings.presenceTimeouts(), ephemeral, user -> {
            notifier.wakeUser(user);
            memberships.joinedRooms(user).forEach(indexer::wakeRoom);
        });
        indexer.onLocalSend(presence::active);
        this.engine = new SyncEngine(db, events, notifier, extensions, memberships, clock, users, typing, presence);
        this.renderer = new EventRenderer(events, clock);
        this.history = new History(db, renderer);
        this.members = new Members(db, renderer);
        this.annotations = new AnnotationIndex(db, events, indexer, READ_BARRIER_WAIT);
        this.relations = new Relations(db, renderer);
        this.search = new Search(db, renderer, events::forgottenRooms);
    }

    public RoomIndexer indexer() { return indexer; }

    public SyncMemberships memberships() { return memberships; }

    public Notifier notifier() { return notifier; }

    public SyncEngine engine() { return engine; }

    /** The duplicate-annotation check of the send endpoint, over sync's relations index. */
    public dev.myelin.clientapi.routing.Annotations annotations() { return annotations; }

    /** Adds syncapi's client routes. */
    public void addRoutes(Router router, Authenticator auth) {
        SyncRoutes.add(router, auth, users, engine, presence);
        EphemeralRoutes.add(router, auth, users, typing, receipts, presence, memberships);
        Runnable readBarrier = () -> indexer.awaitCaughtUp(READ_BARRIER_WAIT);
        HistoryRoutes.add(router, auth, users, history, relations, readBarrier,
                (user, room) -> events.forgottenRooms(user).contains(room));
        MembersRoutes.add(router, auth, members, readBarrier);
        UserDirectoryRoutes.add(router, auth, new UserDirectory(db, users, settings.directoryListsAllLocalUsers()));
        SearchRoutes.add(router, auth, users, search, readBarrier);
        NotificationsRoutes.add(router, auth, users, renderer);
    }

    /** Stops the typing and presence sweepers and the long polls' timers. */
    @Override
    public void close() {
        typing.close();
        presence.close();
        engine.close();
    }
}
