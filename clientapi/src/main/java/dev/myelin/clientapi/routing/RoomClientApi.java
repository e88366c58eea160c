package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.Router;
import dev.myelin.roomserver.api.RoomserverApi;
import dev.myelin.userapi.api.UserApi;

/** The client API's room endpoints, put on a router in one place: rooms, sending, state, membership, aliases, directory. */
public final class RoomClientApi {
    private RoomClientApi() {}

    /** Adds every room endpoint to {@code router}; requests are authenticated through {@code users}. */
    public static void addRoutes(Router router, UserApi users, RoomserverApi rooms) {
        addRoutes(router, users, rooms, Annotations.NONE);
    }

    /** As {@link #addRoutes(Router, UserApi, RoomserverApi)}, refusing duplicate annotations found in {@code annotations}. */
    public static void addRoutes(Router router, UserApi users, RoomserverApi rooms, Annotations annotations) {
        Authenticator auth = new Authenticator(users);
        UpgradedRoomUserData userData = new UpgradedRoomUserData(users, rooms);
        new RoomRoutes(rooms, auth, userData, annotations).addTo(router);
        new MembershipRoutes(rooms, auth, userData).addTo(router);
        new DirectoryRoutes(rooms, auth).addTo(router);
        new SpaceAndReportRoutes(rooms, auth).addTo(router);
    }
}
