package dev.myelin.syncapi.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * For lazy-loading clients that did not ask for {@code include_redundant_members}: which member events each
 * device was already sent, so incremental syncs leave them out. Best effort and in memory, as the spec allows
 * ("the server may ... omit"): an initial sync starts the device afresh, a restart or eviction only means a
 * member event is sent again.
 */
final class LazyMembersSent {
    /** How many member events are remembered per device. */
    static final int PER_DEVICE = 5_000;
    /** How many devices are remembered at all (the least recently syncing are forgotten first). */
    static final int DEVICES = 20_000;

    private final Map<String, Set<String>> byDevice = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
            return size() > DEVICES;
        }
    });

    private static String key(String userId, String deviceId) {
        return userId + '\n' + deviceId;
    }

    void reset(String userId, String deviceId) {
        byDevice.remove(key(userId, deviceId));
    }

    boolean wasSent(String userId, String deviceId, String eventId) {
        Set<String> sent = byDevice.get(key(userId, deviceId));
        return sent != null && sent.contains(eventId);
    }

    void sent(String userId, String deviceId, Iterable<String> eventIds) {
        Set<String> sent = byDevice.computeIfAbsent(key(userId, deviceId), k -> Collections.newSetFromMap(
                Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                        return size() > PER_DEVICE;
                    }
                })));
        for (String id : eventIds) sent.add(id);
    }
}
