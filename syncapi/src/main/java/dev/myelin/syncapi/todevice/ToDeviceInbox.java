package dev.myelin.syncapi.todevice;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.id.UserId;
import dev.myelin.syncapi.api.SyncExtension;
import dev.myelin.syncapi.api.SyncExtensionRequest;
import dev.myelin.syncapi.api.SyncWaker;
import dev.myelin.userapi.api.Device;
import dev.myelin.userapi.api.UserApi;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * To-device messaging (https://spec.matrix.org/v1.19/client-server-api/#send-to-device-messaging): each device's inbox,
 * filled by {@code /sendToDevice} (once per transaction ID) and emptied into {@code /sync}'s {@code to_device}. A
 * message stays stored until the device syncs with a since token past it — the proof it received the response that
 * carried it — so a lost response or a restart never loses one, and messages come in the order they were sent.
 */
public final class ToDeviceInbox implements SyncExtension {
    private static final Logger log = LoggerFactory.getLogger(ToDeviceInbox.class);
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** How long a transaction ID is remembered for idempotency. */
    static final long TXN_MEMORY_MS = 24L * 60 * 60 * 1000;

    private final Database db;
    private final UserApi users;
    private final SyncWaker waker;
    private final Clock clock;

    ToDeviceInbox(Database db, UserApi users, SyncWaker waker, Clock clock) {
        this.db = db;
        this.users = users;
        this.waker = waker;
        this.clock = clock;
    }

    /** One message to store: recipient device and content. */
    private record Target(String userId, String deviceId, String content) {}

    /** {@code PUT /sendToDevice/{eventType}/{txnId}} of {@code sender}'s device {@code senderDevice}. */
    public void send(String sender, String senderDevice, String type, String txnId, ObjectNode body) {
        JsonNode messages = body.get("messages");
        if (!(messages instanceof ObjectNode byUser)) throw MatrixException.badJson("'messages' must be an object");
        List<Target> targets = new ArrayList<>();
        for (Map.Entry<String, JsonNode> user : byUser.properties()) {
            if (!(user.getValue() instanceof ObjectNode byDevice)) {
                throw MatrixException.badJson("messages." + user.getKey() + " must be an object");
            }
            UserId id;
            try {
                id = UserId.parse(user.getKey());
            } catch (ProtocolException e) {
                throw MatrixException.invalidParam("Not a user ID: " + user.getKey());
            }
            for (Map.Entry<String, JsonNode> device : byDevice.properties()) {
                if (!device.getValue().isObject()) {
                    throw MatrixException.badJson("messages." + user.getKey() + "." + device.getKey() + " must be an object");
                }
            }
            if (!id.server().value().equals(users.serverName())) {
                // why: federation (m.direct_to_device EDUs) is not wired yet; the message cannot be delivered
                log.debug("to-device message for remote user {} dropped: no federation yet", user.getKey());
                continue;
            }
            List<String> devices = users.devices(id.localpart()).stream().map(Device::deviceId).toList();
            for (Map.Entry<String, JsonNode> device : byDevice.properties()) {
                String content = JSON.writeValueAsString(device.getValue());
                if (device.getKey().equals("*")) {
                    for (String d : devices) targets.add(new Target(user.getKey(), d, content));
                } else if (devices.contains(device.getKey())) {
                    targets.add(new Target(user.getKey(), device.getKey(), content));
                }
            }
        }
        long now = clock.millis();
        boolean fresh = db.write(tx -> {
            E2eeTables.pruneTxns(tx, sender, senderDevice, now - TXN_MEMORY_MS);
            if (!E2eeTables.claimTxn(tx, sender, senderDevice, txnId, now)) return false;
            for (Target t : targets) {
                E2eeTables.insertMessage(tx, E2eeTables.next(tx, E2eeTables.TO_DEVICE), t.userId(), t.deviceId(), sender, type,
                        t.content());
            }
            return true;
        });
        if (fresh) {
            for (Target t : targets) waker.wakeDevice(t.userId(), t.deviceId());
        }
    }

    @Override
    public String tokenKey() { return "td"; }

    @Override
    public long currentPosition() {
        return db.read(c -> E2eeTables.head(c, E2eeTables.TO_DEVICE));
    }

    @Override
    public boolean fill(SyncExtensionRequest request, ObjectNode response) {
        String user = request.userId();
        String device = request.deviceId();
        if (request.since() > 0 && db.read(c -> E2eeTables.hasMessages(c, user, device, request.since()))) {
            // why: a since token past a message proves the client got the response that carried it
            db.write(tx -> E2eeTables.deleteMessages(tx, user, device, request.since()));
        }
        List<E2eeTables.Message> messages = db.read(c -> E2eeTables.messages(c, user, device, request.since(), request.upTo()));
        if (messages.isEmpty()) return false;
        ArrayNode events = response.putObject("to_device").putArray("events");
        for (E2eeTables.Message m : messages) {
            ObjectNode event = events.addObject();
            event.put("sender", m.sender());
            event.put("type", m.type());
            event.set("content", JSON.readTree(m.content()));
        }
        return true;
    }
}
