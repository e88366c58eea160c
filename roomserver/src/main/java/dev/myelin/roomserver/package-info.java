/**
 * The roomserver: the room graph, the only writer of room state.
 *
 * <ul>
 *   <li>{@code api}: what other components may use — {@link dev.myelin.roomserver.api.RoomserverApi} (actions and
 *       reads as a user may see them), {@link dev.myelin.roomserver.api.EventStore} (read-only events; each event's
 *       JSON is stored once, here) and the {@link dev.myelin.roomserver.api.OutputRoomEvent} stream message.</li>
 *   <li>{@code internal}: per-room input lanes ({@code RoomLanes}), the input pipeline ({@code RoomInput}: build on
 *       the forward extremities, auth-check with the protocol's rules, store the event, its state snapshot, the new
 *       head, memberships, transaction IDs and the {@code OutputRoomEvent} in one transaction), room creation,
 *       upgrades, history visibility, and the state before an event with several prev events
 *       ({@code StateBefore}, by state resolution).</li>
 *   <li>{@code storage}: one class per table. NIDs for rooms, events, event types (common ones fixed) and state keys;
 *       state as snapshots (ordered lists of blocks; a later block's entry replaces an earlier one's) of blocks
 *       (sorted (type, state key, event) NID triples), both deduplicated by SHA-256 of their content; a state event
 *       adds a one-entry delta block, a full block is written past 32 blocks or after state resolution.</li>
 * </ul>
 *
 * <p>Writers: one lane per room in a process; across processes sharing one PostgreSQL database the room's head
 * only moves from the head an event was built on (checked in the same transaction), so rooms never fork.
 */
package dev.myelin.roomserver;
