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
--tsa-cert FILE (or the trust anchor's "tsa_certificate", PEM): the checkpoint must carry an RFC 3161 time-stamp token (the note line
"— rfc3161-tsa base64(keyid(4) || DER TimeStampResp)") signed by this pinned TSA
certificate (RFC 3161 + RFC 5652 signed attributes) over SHA-256(checkpoint body).
exit 0 intact; exit 4 not intact or unpinned (prints "seq N: KIND: why"); exit 2 usage.
"""
import argparse, base64, binascii, glob, hashlib, json, os, struct, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def der(b, i=0):  # one DER element at b[i:]: (tag, value start, value end)
    tag, n = b[i], b[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    assert i + n <= len(b), "DER element longer than its input"
    return tag, i, i + n


def kids(b, start, end):  # the elements inside b[start:end]: (tag, whole start, value start, value end)
    out = []
    while start < end:
        tag, vs, ve = der(b, start)
        out.append((tag, start, vs, ve))
        start = ve
    return out


SHA = {bytes.fromhex("608648016503040201"): "sha256", bytes.fromhex("608648016503040202"): "sha384",
       bytes.fromhex("608648016503040203"): "sha512"}


def check_timestamp(note, body, cert_pem):  # RFC 3161 §2.4.2, RFC 5652 §5.4
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    cert = x509.load_pem_x509_certificate(cert_pem)
    keyid = hashlib.sha256(cert.public_bytes(__import__("cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.DER)).digest()[:4]
    tokens = []
    for line in note[note.rindex(b"\n\n") + 2:].split(b"\n")[:-1]:
        name, blob = line[4:].decode().split(" ")
        if name == "rfc3161-tsa":
            tokens.append(b64(blob))
    tokens.sort(key=lambda t: t[:4] != keyid)
    if not tokens:
        raise Fail("timestamp", None, "the checkpoint carries no time-stamp token")
    r = tokens[0][4:]
    _, s0, e0 = der(r)
    resp = kids(r, s0, e0)
    status = kids(r, resp[0][2], resp[0][3])[0]
    if r[status[2]:status[3]] not in (b"\x00", b"\x01"):
        raise Fail("timestamp", None, "time-stamp status is not granted")
    ci = kids(r, resp[1][2], resp[1][3])
    assert r[ci[0][2]:ci[0][3]] == bytes.fromhex("2a864886f70d010702"), "not SignedData"
    sd = kids(r, ci[1][2], ci[1][3])[0]
    f = kids(r, sd[2], sd[3])
    eci = kids(r, f[2][2], f[2][3])
    assert r[eci[0][2]:eci[0][3]] == bytes.fromhex("2a864886f70d0109100104"), "not a TSTInfo"
    octets = kids(r, eci[1][2], eci[1][3])[0]
    tst = r[octets[2]:octets[3]]
    t = kids(tst, *der(tst)[1:])
    mi = kids(tst, t[2][2], t[2][3])
    alg = kids(tst, mi[0][2], mi[0][3])[0]
    if SHA.get(tst[alg[2]:alg[3]]) != "sha256" or tst[mi[1][2]:mi[1][3]] != hashlib.sha256(body).digest():
        raise Fail("timestamp", None, "the message imprint is not the hash of this checkpoint")
    gen_time = tst[t[4][2]:t[4][3]].decode()
    signer = kids(r, f[-1][2], f[-1][3])[0]
    si = kids(r, signer[2], signer[3])
    digest_alg = SHA[r[kids(r, si[2][2], si[2][3])[0][2]:kids(r, si[2][2], si[2][3])[0][3]]]
    attrs = si[3]
    assert attrs[0] == 0xA0, "no signed attributes"
    found = {}
    for a in kids(r, attrs[2], attrs[3]):
        oid, vals = kids(r, a[2], a[3])
        v = kids(r, vals[2], vals[3])[0]
        found[r[oid[2]:oid[3]]] = r[v[2]:v[3]]
    if found.get(bytes.fromhex("2a864886f70d010903")) != bytes.fromhex("2a864886f70d0109100104"):
        raise Fail("timestamp", None, "signed attributes do not name a TSTInfo")
    if found.get(bytes.fromhex("2a864886f70d010904")) != hashlib.new(digest_alg, tst).digest():
        raise Fail("timestamp", None, "the TSTInfo was altered (message digest differs)")
    signed = b"\x31" + r[attrs[1] + 1:attrs[3]]  # the SET OF, not [0] IMPLICIT
    sig = r[si[5][2]:si[5][3]]
    h = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[digest_alg]
    key = cert.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(sig, signed, ec.ECDSA(h))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(sig, signed, padding.PKCS1v15(), h)
        else:
            raise Fail("timestamp", None, "unsupported TSA key type")
    except Fail:
        raise
    except Exception:
        raise Fail("timestamp", None, "the time-stamp signature is not by the pinned TSA certificate")
    return gen_time


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
    ap.add_argument("--tsa-cert")
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
        tsa_pem = None
        if a.tsa_cert:
            with open(a.tsa_cert, "rb") as f:
                tsa_pem = f.read()
        elif a.trust and anchor.get("tsa_certificate"):
            tsa_pem = anchor["tsa_certificate"].encode()
        if tsa_pem is not None:
            note = files["checkpoint"]
            try:
                gen_time = check_timestamp(note, note[:note.rindex(b"\n\n") + 1], tsa_pem)
            except Fail:
                raise
            except Exception as e:
                raise Fail("timestamp", None, f"malformed time-stamp token ({type(e).__name__}: {e})")
            print(f"timestamped (RFC 3161) at {gen_time} by the pinned TSA")
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
