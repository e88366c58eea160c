package dev.myelin.roomserver.internal;

import dev.myelin.protocol.room.RoomVersion;

/** What never changes about a room: its NID, ID and version. */
record RoomInfo(long roomNid, String roomId, RoomVersion version) {}
