# Differential-test oracle: reads one JSON case per line on stdin, answers one line per case on stdout.
# Uses Debian's python3-canonicaljson and python3-signedjson; the redaction below is our own reading of the spec,
# written independently of the Java code it checks.
import base64
import hashlib
import json
import sys

import canonicaljson
import nacl.signing
import signedjson.key
import signedjson.sign

SEED = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"


def b64(data):
    return base64.b64encode(data).decode("ascii").rstrip("=")


def redact(version, event):
    v = int(version)
    top = {"event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
           "prev_events", "auth_events", "origin_server_ts"}
    if v < 11:
        top |= {"prev_state", "origin", "membership"}
    out = {k: val for k, val in event.items() if k in top}
    content = event.get("content")
    content = content if isinstance(content, dict) else {}
    typ = event.get("type")
    keep = []
    if typ == "m.room.member":
        keep = ["membership"] + (["join_authorised_via_users_server"] if v >= 9 else [])
    elif typ == "m.room.create":
        keep = list(content.keys()) if v >= 11 else ["creator"]
    elif typ == "m.room.join_rules":
        keep = ["join_rule"] + (["allow"] if v >= 8 else [])
    elif typ == "m.room.power_levels":
        keep = ["ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default"]
        if v >= 11:
            keep.append("invite")
    elif typ == "m.room.aliases" and v <= 5:
        keep = ["aliases"]
    elif typ == "m.room.history_visibility":
        keep = ["history_visibility"]
    elif typ == "m.room.redaction" and v >= 11:
        keep = ["redacts"]
    new_content = {k: content[k] for k in keep if k in content}
    if typ == "m.room.member" and v >= 11:
        tpi = content.get("third_party_invite")
        if isinstance(tpi, dict) and "signed" in tpi:
            new_content["third_party_invite"] = {"signed": tpi["signed"]}
    out["content"] = new_content
    return out


def event_id(version, event):
    redacted = redact(version, event)
    for k in ("signatures", "unsigned", "age_ts"):
        redacted.pop(k, None)
    digest = hashlib.sha256(canonicaljson.encode_canonical_json(redacted)).digest()
    if version in ("1", "2"):
        return event["event_id"]
    encoded = b64(digest)
    if version != "3":
        encoded = encoded.replace("+", "-").replace("/", "_")
    return "$" + encoded


def content_hash(event):
    stripped = {k: v for k, v in event.items() if k not in ("unsigned", "signatures", "hashes")}
    return b64(hashlib.sha256(canonicaljson.encode_canonical_json(stripped)).digest())


def main():
    mode = sys.argv[1]
    key = signedjson.key.decode_signing_key_base64("ed25519", "1", SEED)
    out = sys.stdout
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8").rstrip("\n")
        try:
            case = json.loads(line)
            if mode == "canonical":
                answer = b64(canonicaljson.encode_canonical_json(case))
            elif mode == "sign":
                answer = b64(canonicaljson.encode_canonical_json(signedjson.sign.sign_json(case, "domain", key)))
            elif mode == "event":
                version, event = case["version"], case["event"]
                answer = event_id(version, event) + " " + content_hash(event) + " " + b64(
                    canonicaljson.encode_canonical_json(redact(version, event)))
            elif mode == "sign_event":
                version, event = case["version"], case["event"]
                digest = content_hash(event)
                if not isinstance(event.get("hashes"), dict):
                    event["hashes"] = {}
                event["hashes"]["sha256"] = digest  # other algorithms stay, as Synapse does
                redacted = signedjson.sign.sign_json(redact(version, event), "example.org", key)
                event["signatures"] = redacted["signatures"]
                answer = b64(canonicaljson.encode_canonical_json(event))
            else:
                raise ValueError("unknown mode " + mode)
        except Exception as e:  # noqa: BLE001 - every failure is an answer
            answer = "ERR " + type(e).__name__
        out.write(answer + "\n")
        out.flush()


if __name__ == "__main__":
    main()
