#!/usr/bin/env python3
"""Independent verifier of a Candor audit bundle, written from the public specs only
(RFC 6962/9162 Merkle tree, C2SP signed-note + tlog-checkpoint, Ed25519, canonical JSON
as documented in docs/audit-bundle.md). Uses hashlib and `cryptography`; no Candor code.

usage: audit_verifier.py BUNDLE_DIR (--trust FILE | --allow-unpinned) [--case C --session S] [--evidence FILE ...]
--trust FILE: a candor-trust/1 anchor (JSON: log_keys, operator_keys, witnesses [{name, url,
vkey}], quorum). Only the pinned log key and operator keys are trusted (the bundle's own
keys are ignored), and the checkpoint must carry valid C2SP cosignature/v1 signatures by at
least `quorum` pinned witnesses. Without a trust anchor the bundle is "unpinned": refused
unless --allow-unpinned. --case/--session: the bundle must be that session's log.
exit 0 intact; exit 4 not intact or unpinned (prints "seq N: KIND: why"); exit 2 usage.
"""
import argparse, base64, binascii, glob, hashlib, json, os, struct, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Fail(Exception):
    def __init__(self, kind, seq, why):
        super().__init__(f"seq {seq}: {kind}: {why}" if seq is not None else f"{kind}: {why}")


def b64(s):  # strict: must round-trip
    raw = base64.b64decode(s, validate=True)
    if base64.b64encode(raw).decode() != s:
        raise ValueError("non-canonical base64")
    return raw


def parse_vkey(text):
    name, keyid, key = text.strip().split("+", 2)
    raw = b64(key)
    if len(raw) != 33 or raw[0] != 1 or hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() != keyid:
        raise ValueError("bad verifier key")
    return name, bytes.fromhex(keyid), Ed25519PublicKey.from_public_bytes(raw[1:])


def parse_cosigner_vkey(text):  # C2SP tlog-cosignature: Ed25519 cosigner key, type 0x04
    name, keyid, key = text.strip().split("+", 2)
    raw = b64(key)
    if len(raw) != 33 or raw[0] != 4 or hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() != keyid:
        raise ValueError("bad cosigner verifier key")
    return name, bytes.fromhex(keyid), Ed25519PublicKey.from_public_bytes(raw[1:])


def cosigned_by(note, witness):
    """True if the signed note carries a valid cosignature/v1 by witness (name, keyid, pub)."""
    name, keyid, pub = witness
    cut = note.rindex(b"\n\n")
    body, sigs = note[:cut + 1], note[cut + 2:]
    ok = False
    for line in sigs.split(b"\n")[:-1]:
        n, blob = line[4:].decode().split(" ")
        blob = b64(blob)
        if n != name or blob[:4] != keyid:
            continue
        if len(blob) != 4 + 8 + 64:
            raise Fail("checkpoint", None, f"cosignature by {name} has the wrong length")
        (ts,) = struct.unpack(">Q", blob[4:12])
        if not ed_ok(pub, blob[12:], b"cosignature/v1\ntime %d\n" % ts + body):
            raise Fail("checkpoint", None, f"cosignature by witness {name} does not verify")
        ok = True
    return ok


def pin(files, anchor):
    """Replace the bundle's keys by the trust anchor's and check the witness quorum."""
    if anchor.get("format") != "candor-trust/1":
        raise Fail("checkpoint", None, "not a candor-trust/1 trust anchor")
    if files["log.vkey"].decode().strip() not in anchor["log_keys"]:
        raise Fail("checkpoint", None, "the log key is not pinned by the trust anchor")
    pinned = {k: v for k, v in files.items() if not k.startswith("operators/")}
    for i, k in enumerate(anchor["operator_keys"]):
        pinned[f"operators/pinned{i}.pub"] = k.encode()
    good = [w["name"] for w in anchor["witnesses"] if cosigned_by(files["checkpoint"], parse_cosigner_vkey(w["vkey"]))]
    if len(good) < anchor["quorum"]:
        raise Fail("checkpoint", None, f"cosigned by {len(good)} pinned witness(es), the trust anchor requires {anchor['quorum']}")
    return pinned, good


def ed_ok(pub, sig, msg):
    try:
        pub.verify(sig, msg)
        return True
    except Exception:
        return False


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def mth(leaves):  # RFC 6962 section 2.1
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def read_bundle(bundle):
    files = {}
    for name in ["log.vkey", "checkpoint", "records.jsonl"] + glob.glob("operators/*.pub", root_dir=bundle) + glob.glob("results/*", root_dir=bundle):
        with open(os.path.join(bundle, name), "rb") as f:
            files[name] = f.read()
    return files


def verify(files, evidence=(), session=None):
    """files: bundle-relative name -> bytes; evidence: paths of recordings/results to re-hash;
    session: (case, session) the log must belong to, or None."""
    logname, logid, logpub = parse_vkey(files["log.vkey"].decode())
    # Checkpoint: signed note, body then blank line then "— name base64(keyid||sig)" lines.
    try:
        note = files["checkpoint"]
        cut = note.rindex(b"\n\n")
        body, sigs = note[:cut + 1], note[cut + 2:]
        good = False
        for line in sigs.split(b"\n")[:-1]:
            assert line.startswith("\u2014 ".encode())
            name, blob = line[4:].decode().split(" ")
            blob = b64(blob)
            if name == logname and blob[:4] == logid:
                assert ed_ok(logpub, blob[4:], body), "bad log signature"
                good = True
        assert good and note.endswith(b"\n"), "no signature by the log key"
        origin, size, root = body.decode().split("\n")[:3]
        size, root = int(size), b64(root)
        assert str(size) == body.decode().split("\n")[1]
    except Exception as e:
        raise Fail("checkpoint", None, f"checkpoint does not verify ({e})")
    if session is not None and origin != f"{logname}/{session[0]}/{session[1]}":
        raise Fail("checkpoint", None, f"origin {origin} is not the log of case {session[0]} session {session[1]}")
    trusted = {}
    for name in files:
        if name.startswith("operators/") and name.endswith(".pub"):
            text = files[name].decode().strip()
            trusted[text] = parse_vkey(text)
    data = files["records.jsonl"]
    lines = data.split(b"\n")
    last_unterminated = lines[-1] != b""
    if not last_unterminated:
        lines.pop()
    leaves, recs = [], []
    for seq, line in enumerate(lines[:size]):
        try:
            assert not (last_unterminated and seq == len(lines) - 1)
            rec = json.loads(line.decode("utf-8"), parse_float=lambda s: 1 / 0, parse_constant=lambda s: 1 / 0)
            assert isinstance(rec, dict) and canonical(rec) == line
        except Exception:
            raise Fail("hash", seq, "record is not canonical JSON")
        if rec.get("seq") != seq or rec.get("prev") != (leaves[-1].hex() if leaves else "0" * 64):
            raise Fail("chain", seq, "seq/prev do not continue the log")
        if seq == 0 and rec.get("type") != "session_opened":
            raise Fail("chain", seq, "first record is not session_opened")
        if seq == 0 and origin != f"{logname}/{rec.get('case')}/{rec.get('session')}":
            raise Fail("checkpoint", None, "origin does not name this log")
        if seq > 0 and (rec.get("case"), rec.get("session")) != (recs[0]["case"], recs[0]["session"]):
            raise Fail("chain", seq, "record of another session")
        if rec.get("type") == "review":
            t = rec.get("concerns_seq")
            if not (isinstance(t, int) and 0 <= t < seq and rec.get("concerns_leaf") == leaves[t].hex()):
                raise Fail("chain", seq, "review does not link to an earlier record")
        key = trusted.get(rec.get("operator_key"))
        unsigned = dict(rec)
        try:
            sig = b64(unsigned.pop("sig"))
        except Exception:
            raise Fail("signature", seq, "sig is not base64")
        if key is None or key[0] != rec.get("operator") or not ed_ok(key[2], sig, canonical(unsigned)):
            raise Fail("signature", seq, "operator signature does not verify with a trusted key")
        if rec.get("type") == "key_rotated" and rec.get("key_kind") == "log":
            cur = rec.get("old_key")  # log key rotation: each step endorsed by the previous log key
            for step in rec.get("endorsements") or [None]:
                msg = f"candor key rotation\n{cur}\n{step and step.get('new_key')}\n".encode()
                if not step or step.get("old_key") != cur or not ed_ok(parse_vkey(cur)[2], b64(step["endorsement"]), msg):
                    raise Fail("signature", seq, "log key rotation not endorsed")
                cur = step["new_key"]
            if cur != rec.get("new_key"):
                raise Fail("signature", seq, "log key rotation chain does not reach new_key")
        elif rec.get("type") == "key_rotated":
            cur = rec.get("old_key")
            for step in rec.get("endorsements") or [None]:
                old = trusted.get(step and step.get("old_key"))
                msg = f"candor key rotation\n{cur}\n{step and step.get('new_key')}\n".encode()
                if not old or step["old_key"] != cur or step["new_key"] not in trusted or not ed_ok(old[2], b64(step["endorsement"]), msg):
                    raise Fail("signature", seq, "key rotation not endorsed")
                cur = step["new_key"]
            if cur != rec["operator_key"] or rec.get("new_key") != cur:
                raise Fail("signature", seq, "key rotation chain does not reach the signing key")
        leaves.append(hashlib.sha256(b"\x00" + line).digest())
        recs.append(rec)
    if len(lines) < size:
        raise Fail("checkpoint", len(lines), "log truncated")
    if mth(leaves) != root:
        raise Fail("checkpoint", None, "Merkle root does not match the checkpoint")
    if len(lines) > size:
        raise Fail("torn-tail", size, "records beyond the checkpoint")
    for seq, rec in enumerate(recs):
        if rec["type"] == "analysis_completed" and "result_file" in rec:
            content = files.get(rec["result_file"])
            if content is None or hashlib.sha256(content).hexdigest() != rec["output_sha256"]:
                raise Fail("evidence", seq, f"{rec['result_file']} missing or modified")
    for path in evidence:
        h = hashlib.sha256(open(path, "rb").read()).hexdigest()
        if not any(h in (r.get("sha256"), r.get("input_sha256"), r.get("output_sha256")) for r in recs):
            raise Fail("evidence", None, f"{path} matches nothing in the log")
    return size, root


def main(argv):
    ap = argparse.ArgumentParser(add_help=True)
    ap.add_argument("bundle")
    ap.add_argument("--trust")
    ap.add_argument("--allow-unpinned", action="store_true")
    ap.add_argument("--case")
    ap.add_argument("--session")
    ap.add_argument("--evidence", nargs="*", default=[])
    try:
        a = ap.parse_args(argv[1:])
    except SystemExit:
        return 2
    if (a.case is None) != (a.session is None):
        print("--case and --session go together", file=sys.stderr)
        return 2
    try:
        files = read_bundle(a.bundle)
        if a.trust:
            with open(a.trust, "rb") as f:
                anchor = json.loads(f.read().decode())
            files, cosigners = pin(files, anchor)
            if cosigners:
                print(f"cosigned by: {', '.join(cosigners)} (quorum {anchor['quorum']})")
        elif a.allow_unpinned:
            print("warning: unpinned: the bundle's own keys are believed", file=sys.stderr)
        else:
            print("NOT INTACT: unpinned: no trust anchor (give --trust FILE, or --allow-unpinned)")
            return 4
        size, root = verify(files, a.evidence, (a.case, a.session) if a.case else None)
    except Fail as e:
        print(f"NOT INTACT: {e}")
        return 4
    except Exception as e:  # anything malformed that the checks above did not classify
        print(f"NOT INTACT: malformed bundle ({type(e).__name__}: {e})")
        return 4
    print(f"intact: {size} records, root {root.hex()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
