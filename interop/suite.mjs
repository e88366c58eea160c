// The interop suite: drives a homeserver with matrix-js-sdk the way a chat client does.
// One line per check ("ok", "FAIL" or "not built"), a summary line, exit code 1 on any failure.
// A check for a feature Myelin has not built yet says so and is never counted as a pass.
import "./quiet.mjs";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import * as sdk from "matrix-js-sdk";

/** One line of the suite's own output (the console is muted for the SDK, see quiet.mjs). */
const say = (line) => process.stdout.write(`${line}\n`);

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs, []));

/** Each check: a name, the issue that builds the feature, and (once built) the steps. */
const checks = [
  { name: "versions: the SDK reads /_matrix/client/versions", run: async (ctx) => {
      const versions = await ctx.client().getVersions();
      if (!Array.isArray(versions.versions) || versions.versions.length === 0) throw new Error("no versions");
    } },
  { name: "register with user-interactive auth", run: async (ctx) => {
      // As a client does it: the SDK's InteractiveAuth walks the flows (it submits m.login.dummy by itself).
      const client = ctx.client();
      const username = `interop${Date.now().toString(36)}`;
      const password = "interop-password-1";
      const auth = new sdk.InteractiveAuth({
        matrixClient: client,
        doRequest: (authDict) => politely(() => client.registerRequest({ username, password, initial_device_display_name: "interop",
          ...(authDict ? { auth: authDict } : {}) })),
        stateUpdated: () => {},
        requestEmailToken: async () => { throw new Error("no e-mail stage expected"); },
      });
      const res = await auth.attemptAuth();
      if (!res.access_token || !res.user_id.startsWith(`@${username}:`)) throw new Error(`bad response ${JSON.stringify(res)}`);
      ctx.account = { userId: res.user_id, username, password, accessToken: res.access_token, deviceId: res.device_id };
      const me = await ctx.client({ accessToken: res.access_token, userId: res.user_id }).whoami();
      if (me.user_id !== res.user_id || me.device_id !== res.device_id) throw new Error(`whoami says ${JSON.stringify(me)}`);
    } },
  { name: "log in with a password", run: async (ctx) => {
      const a = needAccount(ctx);
      const res = await ctx.client().loginRequest({ type: "m.login.password",
        identifier: { type: "m.id.user", user: a.username }, password: a.password, initial_device_display_name: "second" });
      if (res.user_id !== a.userId || !res.access_token || res.device_id === a.deviceId) throw new Error(`bad login ${JSON.stringify(res)}`);
      ctx.second = { accessToken: res.access_token, deviceId: res.device_id };
      try {
        await ctx.client().loginWithPassword(a.username, "wrong password");
        throw new Error("a wrong password was accepted");
      } catch (e) {
        if (e.errcode !== "M_FORBIDDEN") throw e;
      }
    } },
  { name: "profile: display name and avatar", run: async (ctx) => {
      const client = authed(ctx);
      await client.setDisplayName("Interop Tester");
      await client.setAvatarUrl("mxc://example.org/interop");
      const profile = await client.getProfileInfo(ctx.account.userId);
      if (profile.displayname !== "Interop Tester" || profile.avatar_url !== "mxc://example.org/interop") {
        throw new Error(`profile is ${JSON.stringify(profile)}`);
      }
    } },
  { name: "account data and tags", run: async (ctx) => {
      const client = authed(ctx);
      if (await client.getAccountDataFromServer("org.example.interop") !== null) throw new Error("unset account data exists");
      await client.setAccountData("org.example.interop", { answer: 42 });
      const got = await client.getAccountDataFromServer("org.example.interop");
      if (got?.answer !== 42) throw new Error(`account data is ${JSON.stringify(got)}`);
      const roomId = "!interop:example.org";
      await client.setRoomTag(roomId, "m.favourite", { order: 0.25 });
      await client.setRoomTag(roomId, "u.work", {});
      await client.deleteRoomTag(roomId, "u.work");
      const tags = await client.getRoomTags(roomId);
      if (tags.tags["m.favourite"]?.order !== 0.25 || "u.work" in tags.tags) throw new Error(`tags are ${JSON.stringify(tags)}`);
    } },
  { name: "push rules", run: async (ctx) => {
      const client = authed(ctx);
      const rules = await client.getPushRules();
      const overrideIds = rules.global.override.map((r) => r.rule_id);
      for (const id of [".m.rule.master", ".m.rule.is_user_mention", ".m.rule.is_room_mention", ".m.rule.suppress_edits"]) {
        if (!overrideIds.includes(id)) throw new Error(`default rule ${id} missing`);
      }
      await client.addPushRule("global", "content", "interop", { pattern: "interop", actions: ["notify"] });
      await client.setPushRuleEnabled("global", "content", "interop", false);
      await client.setPushRuleActions("global", "underride", ".m.rule.message", []);
      const after = await client.getPushRules();
      const mine = after.global.content.find((r) => r.rule_id === "interop");
      if (!mine || mine.enabled !== false) throw new Error(`content rule is ${JSON.stringify(mine)}`);
      const message = after.global.underride.find((r) => r.rule_id === ".m.rule.message");
      if (message.actions.length !== 0) throw new Error("actions were not changed");
      await client.deletePushRule("global", "content", "interop");
      const gone = await client.getPushRules();
      if (gone.global.content.some((r) => r.rule_id === "interop")) throw new Error("deleted rule is still there");
    } },
  { name: "devices: list, rename, delete", run: async (ctx) => {
      const client = authed(ctx);
      if (!ctx.second) throw new Error("needs the login check's second device");
      const { devices } = await client.getDevices();
      const ids = devices.map((d) => d.device_id);
      if (!ids.includes(ctx.account.deviceId) || !ids.includes(ctx.second.deviceId)) throw new Error(`devices are ${ids}`);
      await client.setDeviceDetails(ctx.second.deviceId, { display_name: "renamed" });
      const renamed = await client.getDevice(ctx.second.deviceId);
      if (renamed.display_name !== "renamed") throw new Error(`device is ${JSON.stringify(renamed)}`);
      const auth = new sdk.InteractiveAuth({
        matrixClient: client,
        doRequest: (authDict) => client.deleteDevice(ctx.second.deviceId, authDict ?? undefined),
        stateUpdated: (stage) => {
          if (stage === "m.login.password") {
            auth.submitAuthDict({ type: "m.login.password",
              identifier: { type: "m.id.user", user: ctx.account.userId }, password: ctx.account.password });
          }
        },
        requestEmailToken: async () => { throw new Error("no e-mail stage expected"); },
      });
      await auth.attemptAuth();
      const left = (await client.getDevices()).devices.map((d) => d.device_id);
      if (left.includes(ctx.second.deviceId)) throw new Error("the device was not deleted");
      await expectUnknownToken(ctx.client({ accessToken: ctx.second.accessToken, userId: ctx.account.userId }));
    } },
  { name: "create a room", run: async (ctx) => {
      const client = authed(ctx);
      const alias = `interop${Date.now().toString(36)}`;
      const { room_id: roomId } = await client.createRoom({ name: "Interop room", topic: "js-sdk", preset: "private_chat",
        room_alias_name: alias });
      if (!roomId?.startsWith("!")) throw new Error(`no room ID: ${roomId}`);
      const name = await client.getStateEvent(roomId, "m.room.name", "");
      if (name.name !== "Interop room") throw new Error(`name is ${JSON.stringify(name)}`);
      const create = await client.getStateEvent(roomId, "m.room.create", "");
      if (create.room_version !== "12") throw new Error(`room version is ${create.room_version}`);
      const { event_id: eventId } = await client.sendEvent(roomId, "m.room.message", { msgtype: "m.text", body: "hello" });
      const event = await client.fetchRoomEvent(roomId, eventId);
      if (event.content.body !== "hello" || event.sender !== ctx.account.userId) throw new Error(`event is ${JSON.stringify(event)}`);
      const { joined_rooms: joined } = await client.getJoinedRooms();
      if (!joined.includes(roomId)) throw new Error("the new room is not in joined_rooms");
      ctx.room = { roomId, alias: `#${alias}:${ctx.account.userId.split(":").slice(1).join(":")}`, eventId };
    } },
  { name: "invite and join", run: async (ctx) => {
      const client = authed(ctx);
      const room = needRoom(ctx);
      ctx.friend = await registerUser(ctx, "friend");
      const friend = ctx.client(ctx.friend);
      await client.invite(room.roomId, ctx.friend.userId);
      const invited = await client.getStateEvent(room.roomId, "m.room.member", ctx.friend.userId);
      if (invited.membership !== "invite") throw new Error(`membership is ${invited.membership}`);
      const { next_batch: beforeJoin } = await client.http.authedRequest("GET", "/sync", { timeout: "0" });
      await friend.joinRoom(room.roomId);
      const members = await client.getJoinedRoomMembers(room.roomId);
      if (!(ctx.friend.userId in members.joined)) throw new Error(`joined members are ${JSON.stringify(members)}`);
      // /members as the SDK loads them (not_membership=leave), now and at a sync token from before the join
      const now = await client.members(room.roomId, undefined, "leave");
      if (!now.chunk.some((e) => e.state_key === ctx.friend.userId && e.content.membership === "join")) {
        throw new Error(`members now are ${JSON.stringify(now.chunk)}`);
      }
      const then = await client.members(room.roomId, undefined, "leave", beforeJoin);
      const friendThen = then.chunk.find((e) => e.state_key === ctx.friend.userId);
      if (friendThen?.content.membership === "join" || !then.chunk.some((e) => e.state_key === ctx.account.userId)) {
        throw new Error(`members before the join are ${JSON.stringify(then.chunk)}`);
      }
      const { event_id: eventId } = await friend.sendEvent(room.roomId, "m.room.message", { msgtype: "m.text", body: "hi back" });
      const seen = await client.fetchRoomEvent(room.roomId, eventId);
      if (seen.content.body !== "hi back") throw new Error(`alice sees ${JSON.stringify(seen)}`);
    } },
  { name: "redaction", run: async (ctx) => {
      const client = authed(ctx);
      const room = needRoom(ctx);
      const { event_id: redactionId } = await client.redactEvent(room.roomId, room.eventId, undefined, { reason: "interop" });
      const event = await client.fetchRoomEvent(room.roomId, room.eventId);
      if (Object.keys(event.content).length !== 0) throw new Error(`content survived: ${JSON.stringify(event.content)}`);
      if (event.unsigned?.redacted_because?.event_id !== redactionId) throw new Error(`unsigned is ${JSON.stringify(event.unsigned)}`);
    } },
  { name: "alias and room directory", run: async (ctx) => {
      const client = authed(ctx);
      const room = needRoom(ctx);
      const resolved = await client.getRoomIdForAlias(room.alias);
      if (resolved.room_id !== room.roomId) throw new Error(`alias resolves to ${JSON.stringify(resolved)}`);
      const extra = room.alias.replace("#interop", "#extra");
      await client.createAlias(extra, room.roomId);
      const { aliases } = await client.getLocalAliases(room.roomId);
      if (!aliases.includes(extra) || !aliases.includes(room.alias)) throw new Error(`aliases are ${aliases}`);
      await client.deleteAlias(extra);
      await client.setRoomDirectoryVisibility(room.roomId, "public");
      const { visibility } = await client.getRoomDirectoryVisibility(room.roomId);
      if (visibility !== "public") throw new Error(`visibility is ${visibility}`);
      const listed = await client.publicRooms({ filter: { generic_search_term: "Interop room" } });
      if (!listed.chunk.some((r) => r.room_id === room.roomId && r.num_joined_members === 2)) {
        throw new Error(`public rooms are ${JSON.stringify(listed.chunk)}`);
      }
    } },
  { name: "leave and forget", run: async (ctx) => {
      const room = needRoom(ctx);
      if (!ctx.friend) throw new Error("needs the invite check's second user");
      const friend = ctx.client(ctx.friend);
      await friend.leave(room.roomId);
      const { joined_rooms: joined } = await friend.getJoinedRooms();
      if (joined.includes(room.roomId)) throw new Error("still joined after leaving");
      await friend.forget(room.roomId);
      const member = await authed(ctx).getStateEvent(room.roomId, "m.room.member", ctx.friend.userId);
      if (member.membership !== "leave") throw new Error(`membership is ${member.membership}`);
    } },
  { name: "20 messages received in order through sync", run: async (ctx) => {
      const room = await syncRoom(ctx);
      const receiver = await startedClient(ctx, ctx.friend);
      try {
        const bodies = [];
        const all = waitFor(receiver, sdk.RoomEvent.Timeline, (event) => {
          if (event.getRoomId() === room.roomId && event.getType() === "m.room.message") bodies.push(event.getContent().body);
          return bodies.length >= 20;
        });
        const sender = authed(ctx);
        for (let i = 0; i < 20; i++) await sender.sendEvent(room.roomId, "m.room.message", { msgtype: "m.text", body: `sync ${i}` });
        await all;
        const expected = Array.from({ length: 20 }, (_, i) => `sync ${i}`);
        if (JSON.stringify(bodies) !== JSON.stringify(expected)) throw new Error(`received ${JSON.stringify(bodies)}`);
      } finally {
        receiver.stopClient();
      }
    } },
  { name: "back-pagination to the room's start", run: async (ctx) => {
      const room = await syncRoom(ctx);
      const client = authed(ctx);
      const seen = [];
      let from = null;
      for (let page = 0; page < 50; page++) {
        const res = await client.createMessagesRequest(room.roomId, from, 7, sdk.Direction.Backward);
        seen.push(...res.chunk);
        if (!res.end) break;
        from = res.end;
      }
      if (seen.at(-1)?.type !== "m.room.create") throw new Error(`pagination ended at ${JSON.stringify(seen.at(-1))}`);
      const bodies = seen.filter((e) => e.type === "m.room.message").map((e) => e.content.body).reverse();
      const expected = Array.from({ length: 20 }, (_, i) => `sync ${i}`);
      if (JSON.stringify(bodies.slice(0, 20)) !== JSON.stringify(expected)) throw new Error(`history is ${JSON.stringify(bodies)}`);
    } },
  { name: "typing notifications", run: async (ctx) => {
      const room = await syncRoom(ctx);
      const receiver = await startedClient(ctx, ctx.friend);
      try {
        const typing = waitFor(receiver, sdk.RoomMemberEvent.Typing, (_event, member) =>
          member.roomId === room.roomId && member.userId === ctx.account.userId && member.typing);
        await authed(ctx).sendTyping(room.roomId, true, 10_000);
        await typing;
        const stopped = waitFor(receiver, sdk.RoomMemberEvent.Typing, (_event, member) =>
          member.roomId === room.roomId && member.userId === ctx.account.userId && !member.typing);
        await authed(ctx).sendTyping(room.roomId, false);
        await stopped;
      } finally {
        receiver.stopClient();
      }
    } },
  { name: "read receipts", run: async (ctx) => {
      const room = await syncRoom(ctx);
      const receiver = await startedClient(ctx, { accessToken: ctx.account.accessToken, userId: ctx.account.userId,
        deviceId: ctx.account.deviceId });
      try {
        const { event_id: eventId } = await authed(ctx).sendEvent(room.roomId, "m.room.message", { msgtype: "m.text", body: "read me" });
        const receipt = waitFor(receiver, sdk.RoomEvent.Receipt, (event, r) =>
          r.roomId === room.roomId && event.getContent()[eventId]?.["m.read"]?.[ctx.friend.userId] !== undefined);
        const friend = ctx.client(ctx.friend);
        await friend.sendReceipt(new sdk.MatrixEvent({ event_id: eventId, room_id: room.roomId, type: "m.room.message" }),
          sdk.ReceiptType.Read);
        await receipt;
      } finally {
        receiver.stopClient();
      }
    } },
  { name: "unread notification counts and highlights, reset by a read receipt", run: async (ctx) => {
      const owner = authed(ctx);
      const friend = ctx.client(ctx.friend);
      const { room_id: roomId } = await owner.createRoom({ name: "Counts room", preset: "public_chat" });
      await friend.joinRoom(roomId);
      const counts = async () => {
        const res = await friend.http.authedRequest("GET", "/sync", { timeout: "0",
          filter: JSON.stringify({ room: { rooms: [roomId], timeline: { limit: 1 } }, presence: { types: [] } }) });
        const unread = res.rooms?.join?.[roomId]?.unread_notifications ?? {};
        return [unread.notification_count, unread.highlight_count];
      };
      const expect = async (want) => {
        let got;
        for (let i = 0; i < 100; i++) {
          got = await counts();
          if (JSON.stringify(got) === JSON.stringify(want)) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`unread counts are ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      };
      await owner.sendEvent(roomId, "m.room.message", { msgtype: "m.text", body: "one" });
      const { event_id: last } = await owner.sendEvent(roomId, "m.room.message", { msgtype: "m.text", body: "two, for you",
        "m.mentions": { user_ids: [ctx.friend.userId] } });
      await expect([2, 1]);
      await friend.sendReceipt(new sdk.MatrixEvent({ event_id: last, room_id: roomId, type: "m.room.message" }),
        sdk.ReceiptType.Read);
      await expect([0, 0]);
    } },
  { name: "presence: set, read, and seen through sync", run: async (ctx) => {
      await syncRoom(ctx);
      const receiver = await startedClient(ctx, ctx.friend);
      try {
        const seen = waitFor(receiver, sdk.UserEvent.Presence, (_event, user) =>
          user?.userId === ctx.account.userId && user.presence === "unavailable" && user.presenceStatusMsg === "at lunch");
        await authed(ctx).setPresence({ presence: "unavailable", status_msg: "at lunch" });
        const read = await ctx.client(ctx.friend).getPresence(ctx.account.userId);
        if (read.presence !== "unavailable" || read.status_msg !== "at lunch") throw new Error(`presence is ${JSON.stringify(read)}`);
        await seen;
      } finally {
        receiver.stopClient();
      }
    } },
  { name: "edits and reactions through /relations", run: async (ctx) => {
      const room = await syncRoom(ctx);
      const client = authed(ctx);
      const { event_id: original } = await client.sendEvent(room.roomId, "m.room.message", { msgtype: "m.text", body: "tpyo" });
      const { event_id: edit } = await client.sendEvent(room.roomId, "m.room.message", { msgtype: "m.text", body: "* typo",
        "m.new_content": { msgtype: "m.text", body: "typo" }, "m.relates_to": { rel_type: "m.replace", event_id: original } });
      const { event_id: reaction } = await ctx.client(ctx.friend).sendEvent(room.roomId, "m.reaction",
        { "m.relates_to": { rel_type: "m.annotation", event_id: original, key: "👍" } });
      const all = await client.fetchRelations(room.roomId, original, null, null);
      const ids = all.chunk.map((e) => e.event_id);
      if (!ids.includes(edit) || !ids.includes(reaction)) throw new Error(`relations are ${JSON.stringify(ids)}`);
      const reactions = await client.fetchRelations(room.roomId, original, "m.annotation", "m.reaction");
      if (reactions.chunk.length !== 1 || reactions.chunk[0].event_id !== reaction) {
        throw new Error(`reactions are ${JSON.stringify(reactions.chunk)}`);
      }
      const context = await client.http.authedRequest(sdk.Method.Get,
        `/rooms/${encodeURIComponent(room.roomId)}/context/${encodeURIComponent(original)}`, { limit: "0" });
      if (context.event.unsigned?.["m.relations"]?.["m.replace"]?.event_id !== edit) {
        throw new Error(`no edit aggregation: ${JSON.stringify(context.event.unsigned)}`);
      }
    } },
  { name: "encrypted messages both ways (Rust crypto)", run: async (ctx) => {
      // Two users, each a matrix-js-sdk client with the Rust crypto (in memory), syncing; an encrypted room.
      // why: reuses the accounts of the earlier checks (the default registration rate limit allows few new ones)
      const a = needAccount(ctx);
      if (!ctx.friend) throw new Error("needs the invite check's second user");
      const alice = await cryptoClient(ctx, { accessToken: a.accessToken, userId: a.userId, deviceId: a.deviceId }, a.password);
      const bob = await cryptoClient(ctx, ctx.friend, "interop-password-2");
      ctx.e2ee = { alice, bob };
      const { room_id: roomId } = await alice.client.createRoom({ preset: "private_chat", invite: [bob.userId],
        initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }] });
      ctx.e2ee.roomId = roomId;
      await pollUntil(() => bob.client.getRoom(roomId), "bob to see the invite");
      await bob.client.joinRoom(roomId);
      await pollUntil(() => alice.client.getRoom(roomId)?.getMember(bob.userId)?.membership === "join", "alice to see bob join");
      await pollUntil(() => alice.client.getCrypto().isEncryptionEnabledInRoom(roomId), "alice to see the room encrypted");
      await pollUntil(() => bob.client.getCrypto().isEncryptionEnabledInRoom(roomId), "bob to see the room encrypted");
      for (const [from, to, body] of [[alice, bob, "secret from alice"], [bob, alice, "secret from bob"]]) {
        const { event_id: eventId } = await from.client.sendEvent(roomId, "m.room.message", { msgtype: "m.text", body });
        const raw = await from.client.fetchRoomEvent(roomId, eventId);
        if (raw.type !== "m.room.encrypted" || JSON.stringify(raw).includes(body)) {
          throw new Error(`the server saw plaintext: ${JSON.stringify(raw)}`);
        }
        await pollUntil(() => to.client.getRoom(roomId)?.getLiveTimeline().getEvents()
          .some((e) => e.getId() === eventId && !e.isDecryptionFailure() && e.getContent().body === body),
          `${to.userId} to decrypt "${body}"`);
      }
    } },
  { name: "cross-signing bootstrap", run: async (ctx) => {
      const alice = needE2ee(ctx).alice;
      const crypto = alice.client.getCrypto();
      await crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: async (makeRequest) => {
          try {
            await makeRequest(null); // the first upload needs no user-interactive auth
          } catch (e) {
            if (e.httpStatus !== 401) throw e;
            await makeRequest({ type: "m.login.password", identifier: { type: "m.id.user", user: alice.userId },
              password: alice.password, session: e.data.session });
          }
        } });
      await pollUntil(() => crypto.isCrossSigningReady(), "cross-signing to be ready");
      const query = await alice.client.http.authedRequest("POST", "/keys/query", undefined,
        { device_keys: { [alice.userId]: [] } });
      const master = query.master_keys?.[alice.userId];
      const selfSigning = query.self_signing_keys?.[alice.userId];
      if (!master || !selfSigning || !query.user_signing_keys?.[alice.userId]) throw new Error(`keys are ${JSON.stringify(query)}`);
      const sskId = Object.keys(selfSigning.keys)[0];
      const deviceSigs = query.device_keys[alice.userId][alice.deviceId].signatures[alice.userId];
      if (!deviceSigs[sskId]) throw new Error(`the device is not signed by the self-signing key: ${JSON.stringify(deviceSigs)}`);
      const masterSigs = master.signatures?.[alice.userId] ?? {};
      if (!masterSigs[`ed25519:${alice.deviceId}`]) throw new Error(`the master key is not signed by the device: ${JSON.stringify(masterSigs)}`);
      // bob sees alice's master and self-signing keys, not her user-signing key
      const seen = await ctx.e2ee.bob.client.http.authedRequest("POST", "/keys/query", undefined,
        { device_keys: { [alice.userId]: [] } });
      if (!seen.master_keys?.[alice.userId] || seen.user_signing_keys?.[alice.userId]) throw new Error(`bob sees ${JSON.stringify(seen)}`);
      // the SDK learns of its device's new signature by re-querying the keys once sync lists alice in device_lists.changed
      await pollUntil(async () => (await crypto.getDeviceVerificationStatus(alice.userId, alice.deviceId))?.crossSigningVerified,
        "alice's own device to be cross-signing verified");
    } },
  { name: "key backup", run: async (ctx) => {
      const { alice, roomId } = needE2ee(ctx);
      const crypto = alice.client.getCrypto();
      await crypto.resetKeyBackup();
      const version = await pollUntil(() => crypto.getActiveSessionBackupVersion(), "the backup to be active");
      const info = await pollUntil(async () => {
        const v = await alice.client.http.authedRequest("GET", "/room_keys/version");
        return v.version === version && v.count > 0 ? v : null;
      }, "room keys to be uploaded to the backup");
      const keys = await alice.client.http.authedRequest("GET", "/room_keys/keys", { version });
      const sessions = keys.rooms?.[roomId]?.sessions ?? {};
      if (Object.keys(sessions).length === 0) throw new Error(`no key of the room in the backup: ${JSON.stringify(keys)}`);
      const one = Object.values(sessions)[0];
      if (typeof one.session_data?.ciphertext !== "string") throw new Error(`session data is ${JSON.stringify(one)}`);
      if (info.algorithm !== "m.megolm_backup.v1.curve25519-aes-sha2") throw new Error(`algorithm is ${info.algorithm}`);
      // the device that made the backup keeps its decryption key (to restore from it later)
      const key = await crypto.getSessionBackupPrivateKey();
      if (!key) throw new Error("no backup decryption key on the device that made the backup");
    } },
  { name: "media upload, download and thumbnails", run: async (ctx) => {
      const client = authed(ctx);
      const config = await client.getMediaConfig(true);
      if (!(config["m.upload.size"] > 0)) throw new Error(`media config is ${JSON.stringify(config)}`);
      const png = makePng(96, 64);
      const { content_uri: mxc } = await client.uploadContent(new Blob([png], { type: "image/png" }),
        { name: "interop.png", type: "image/png" });
      if (!mxc?.startsWith("mxc://")) throw new Error(`content_uri is ${mxc}`);
      const headers = { Authorization: `Bearer ${ctx.account.accessToken}` };
      // the SDK builds the authenticated /_matrix/client/v1/media URLs (useAuthentication = true)
      const downloadUrl = client.mxcUrlToHttp(mxc, undefined, undefined, undefined, false, true, true);
      if (!downloadUrl.includes("/_matrix/client/v1/media/download/")) throw new Error(`download URL is ${downloadUrl}`);
      const download = await fetch(downloadUrl, { headers });
      const body = new Uint8Array(await download.arrayBuffer());
      if (download.status !== 200 || Buffer.compare(Buffer.from(body), png) !== 0) {
        throw new Error(`download: ${download.status}, ${body.length} bytes instead of ${png.length}`);
      }
      if (download.headers.get("content-type") !== "image/png") throw new Error(`download type ${download.headers.get("content-type")}`);
      const thumbUrl = client.mxcUrlToHttp(mxc, 32, 32, "crop", false, true, true);
      const thumb = await fetch(thumbUrl, { headers });
      const t = Buffer.from(await thumb.arrayBuffer());
      if (thumb.status !== 200 || thumb.headers.get("content-type") !== "image/png") throw new Error(`thumbnail: ${thumb.status}`);
      const [w, h] = [t.readUInt32BE(16), t.readUInt32BE(20)]; // the PNG's IHDR
      if (w !== 32 || h !== 32) throw new Error(`thumbnail is ${w}x${h}, not 32x32`);
      const unauthenticated = await fetch(downloadUrl);
      if (unauthenticated.status !== 401) throw new Error(`unauthenticated download answered ${unauthenticated.status}`);
    } },
  { name: "third-party identifiers: list, delete, unbind", run: async (ctx) => {
      const client = authed(ctx);
      const { threepids } = await client.getThreePids();
      if (!Array.isArray(threepids)) throw new Error(`threepids: ${JSON.stringify(threepids)}`);
      const deleted = await client.deleteThreePid("email", "nobody@example.org");
      if (deleted.id_server_unbind_result !== "no-support") throw new Error(`delete: ${JSON.stringify(deleted)}`);
      const unbound = await client.unbindThreePid("email", "nobody@example.org");
      if (unbound.id_server_unbind_result !== "no-support") throw new Error(`unbind: ${JSON.stringify(unbound)}`);
      try {
        await client.requestAdd3pidEmailToken("nobody@example.org", "secret", 1);
        throw new Error("an e-mail validation was accepted by a server that sends no mail");
      } catch (e) {
        if (e.errcode !== "M_THREEPID_MEDIUM_NOT_SUPPORTED") throw e;
      }
    } },
  { name: "OpenID token checked through the federation user info", run: async (ctx) => {
      const token = await authed(ctx).getOpenIdToken();
      const res = await fetch(`${ctx.url}/_matrix/federation/v1/openid/userinfo?access_token=${encodeURIComponent(token.access_token)}`);
      const body = await res.json();
      if (res.status !== 200 || body.sub !== ctx.account.userId) throw new Error(`userinfo: ${res.status} ${JSON.stringify(body)}`);
    } },
  { name: "deactivate with erase through the UIA fallback page", run: async (ctx) => {
      const owner = authed(ctx);
      const leaver = await registerUser(ctx, "leaver");
      const leaverClient = ctx.client(leaver);
      const { room_id: roomId } = await owner.createRoom({ name: "Erasure room", preset: "public_chat" });
      await leaverClient.joinRoom(roomId);
      const { event_id: eventId } = await leaverClient.sendTextMessage(roomId, "forget me");
      let session;
      try {
        await leaverClient.deactivateAccount(undefined, true);
        throw new Error("deactivation without authentication was accepted");
      } catch (e) {
        session = e.data?.session;
        if (e.httpStatus !== 401 || !session) throw e;
      }
      // as a client that does not know a stage: the fallback page in a browser, then the session alone
      const page = leaverClient.getFallbackAuthUrl("m.login.password", session);
      const form = await fetch(page);
      if (form.status !== 200 || !(await form.text()).includes('name="password"')) throw new Error(`fallback page: ${form.status}`);
      const posted = await fetch(page, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ session, password: "interop-password-2" }) });
      if (posted.status !== 200 || !(await posted.text()).includes("authDone")) throw new Error(`fallback submit: ${posted.status}`);
      const done = await leaverClient.deactivateAccount({ session }, true);
      if (done.id_server_unbind_result !== "no-support") throw new Error(`deactivate: ${JSON.stringify(done)}`);
      await expectUnknownToken(leaverClient);
      const member = await owner.getStateEvent(roomId, "m.room.member", leaver.userId);
      if (member.membership !== "leave") throw new Error(`the leaver is still ${member.membership}`);
      const erased = await owner.fetchRoomEvent(roomId, eventId);
      if (Object.keys(erased.content ?? {}).length !== 0) throw new Error(`erased message still served: ${JSON.stringify(erased)}`);
    } },
  { name: "logout", run: async (ctx) => {
      const client = authed(ctx);
      await client.logout();
      await expectUnknownToken(ctx.client({ accessToken: ctx.account.accessToken, userId: ctx.account.userId }));
    } },
];

/** The two crypto clients and the encrypted room of the first E2EE check. */
function needE2ee(ctx) {
  if (!ctx.e2ee?.roomId) throw new Error("needs the encrypted-messages check's clients and room");
  return ctx.e2ee;
}

/** Polls {@code fn} (sync or async) until it gives a truthy value; fails after {@code ms}. */
async function pollUntil(fn, what, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (true) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A syncing client of {@code user} (access token, user and device ID) with the Rust crypto (in-memory store). */
async function cryptoClient(ctx, user, password) {
  const client = ctx.client({ accessToken: user.accessToken, userId: user.userId, deviceId: user.deviceId });
  await client.initRustCrypto({ useIndexedDB: false });
  const ready = new Promise((resolve, reject) => {
    client.on(sdk.ClientEvent.Sync, (state) => {
      if (state === "PREPARED" || state === "SYNCING") resolve();
      if (state === "ERROR") reject(new Error(`sync failed for ${user.userId}`));
    });
  });
  await client.startClient({ initialSyncLimit: 20 });
  await ready;
  ctx.stopLater.push(() => client.stopClient());
  return { client, userId: user.userId, deviceId: user.deviceId, password };
}

/** A w×h RGB PNG with a gradient, encoded here so the check needs no image library. */
function makePng(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) raw.set([x * 255 / w, y * 255 / h, 128], y * (w * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** The account the registration check created (later checks build on it). */
function needAccount(ctx) {
  if (!ctx.account) throw new Error("needs the registration check's account");
  return ctx.account;
}

/** The room the "create a room" check made. */
function needRoom(ctx) {
  if (!ctx.room) throw new Error("needs the create-a-room check's room");
  return ctx.room;
}

/** A room for the sync checks: made by the account, joined by a second user (registered here if needed). */
async function syncRoom(ctx) {
  if (ctx.syncRoom) return ctx.syncRoom;
  const client = authed(ctx);
  if (!ctx.friend) ctx.friend = await registerUser(ctx, "friend");
  const { room_id: roomId } = await client.createRoom({ name: "Sync room", preset: "public_chat" });
  await ctx.client(ctx.friend).joinRoom(roomId);
  ctx.syncRoom = { roomId };
  return ctx.syncRoom;
}

/** A client that runs the SDK's own sync loop, resolved once its first sync is done. */
async function startedClient(ctx, opts) {
  const client = ctx.client(opts);
  const ready = waitFor(client, sdk.ClientEvent.Sync, (state) => state === "PREPARED");
  await client.startClient({ initialSyncLimit: 5 });
  await ready;
  return client;
}

/** Resolves when {@code emitter} emits {@code event} with arguments {@code test} accepts; fails after 15 s. */
function waitFor(emitter, event, test) {
  const waiting = new Promise((resolve, reject) => {
    const timer = setTimeout(() => { emitter.off(event, listener); reject(new Error(`timed out waiting for ${event}`)); }, 15_000);
    function listener(...args) {
      if (test(...args)) {
        clearTimeout(timer);
        emitter.off(event, listener);
        resolve();
      }
    }
    emitter.on(event, listener);
  });
  // why: a check that fails before awaiting this must not crash the suite with an unhandled rejection later
  waiting.catch(() => {});
  return waiting;
}

/** Registers another user through user-interactive auth; returns options for ctx.client. */
/**
 * Calls {@code request}, waiting and trying again when the server answers 429 with retry_after_ms, as a well-behaved
 * client does. why: the suite registers several users from one address, and the server's default registration rate
 * limit (on here, as in any default install) may answer the later ones with 429.
 */
async function politely(request) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (e) {
      if (e?.httpStatus !== 429 || attempt >= 5) throw e;
      const wait = e.data?.retry_after_ms ?? 1000;
      await new Promise((r) => setTimeout(r, Math.min(wait, 30_000)));
    }
  }
}

async function registerUser(ctx, prefix) {
  const client = ctx.client();
  const username = `${prefix}${Date.now().toString(36)}`;
  const auth = new sdk.InteractiveAuth({
    matrixClient: client,
    doRequest: (authDict) => politely(() => client.registerRequest({ username, password: "interop-password-2",
      ...(authDict ? { auth: authDict } : {}) })),
    stateUpdated: () => {},
    requestEmailToken: async () => { throw new Error("no e-mail stage expected"); },
  });
  const res = await auth.attemptAuth();
  return { accessToken: res.access_token, userId: res.user_id, deviceId: res.device_id };
}

/** A client logged in as that account. */
function authed(ctx) {
  const a = needAccount(ctx);
  return ctx.client({ accessToken: a.accessToken, userId: a.userId, deviceId: a.deviceId });
}

async function expectUnknownToken(client) {
  try {
    await client.whoami();
  } catch (e) {
    if (e.errcode === "M_UNKNOWN_TOKEN") return;
    throw e;
  }
  throw new Error("a logged-out token still works");
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => resolve(port)); });
    server.on("error", reject);
  });
}

/**
 * The distributed shape's storage for one run: a fresh PostgreSQL database and a fresh JetStream prefix, written
 * into a config file; dropped and deleted again by cleanup().
 */
async function prepareDistributed(dir) {
  const { default: pg } = await import("pg");
  const { connect } = await import("nats");
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const database = `myelin_interop_${suffix}`;
  const prefix = `interop${suffix}`;
  const admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const config = join(dir, "myelin.yaml");
  writeFileSync(config, [
    "database:", "  dialect: postgres", "  postgres:",
    `    url: jdbc:postgresql://127.0.0.1:5432/${database}`, "    user: postgres", '    password: ""',
    "streams:", "  kind: jetstream", "  nats_url: nats://127.0.0.1:4222", `  prefix: ${prefix}`, ""].join("\n"));
  const cleanup = async () => {
    const nc = await connect({ servers: "127.0.0.1:4222" });
    const jsm = await nc.jetstreamManager();
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(prefix)) await jsm.streams.delete(stream.config.name);
    }
    await nc.close();
    const drop = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await drop.end();
  };
  return { args: ["--config", config], cleanup };
}

async function startMyelin(launcher, shape) {
  const dir = mkdtempSync(join(tmpdir(), "myelin-interop-"));
  const port = await freePort();
  const storage = shape === "distributed" ? await prepareDistributed(dir) : { args: [], cleanup: async () => {} };
  const child = spawn(launcher, ["run", ...storage.args, "--data-dir", join(dir, "data"), "--listen", `127.0.0.1:${port}`],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => { log += d; });
  child.stderr.on("data", (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (true) {
    if (child.exitCode !== null) {
      await storage.cleanup();
      throw new Error(`server exited with ${child.exitCode}:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/_matrix/client/versions`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await storage.cleanup();
      throw new Error(`server not ready after 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
    await storage.cleanup();
  };
  return { url, stop, log: () => log };
}

/** After a failed check: the server's last warnings and errors, so a failure in CI can be understood. */
function printServerWarnings(server) {
  if (!server.log) return;
  const lines = server.log().split("\n").filter((line) => / (WARN|ERROR) /.test(line));
  for (const line of lines.slice(-15)) say(`  server: ${line.slice(0, 400)}`);
}

async function main() {
  const shape = args.shape ?? "embedded";
  const server = args.url ? { url: args.url, stop: async () => {} } : await startMyelin(args.launcher, shape);
  say(`interop: ${args.url ? `against ${args.url}` : `Myelin, ${shape} storage (${shape === "distributed" ? "PostgreSQL + JetStream" : "SQLite, in-process streams"})`}`);
  const ctx = { url: server.url, client: (opts = {}) => sdk.createClient({ baseUrl: server.url, ...opts }), stopLater: [] };
  let passed = 0, failed = 0, notBuilt = 0;
  try {
    for (const check of checks) {
      if (!check.run) {
        notBuilt++;
        say(`not built  ${check.name} (issue ${check.issue})`);
        continue;
      }
      try {
        await check.run(ctx);
        passed++;
        say(`ok         ${check.name}`);
      } catch (e) {
        failed++;
        say(`FAIL       ${check.name}: ${e?.message ?? e}`);
        printServerWarnings(server);
      }
    }
  } finally {
    for (const stop of ctx.stopLater) stop();
    await server.stop();
  }
  say(`(${notBuilt} checks are for features not built yet; they are counted as skipped, never as passed)`);
  say(`interop: ${passed} passed, ${failed} failed, ${notBuilt} skipped`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((e) => { process.stderr.write(`interop: ${e?.stack ?? e}\n`); process.exit(1); });
