#!/usr/bin/env bash
# The README's multi-machine recipe, end to end, with five "machines" simulated in Linux
# network namespaces joined by a bridge (itself in a namespace of its own, so the host's
# network is never touched):
#   db   10.77.0.1   PostgreSQL (a private cluster in a temporary folder) that accepts only
#                    TLS connections with a password (hostssl + scram-sha-256), with a
#                    certificate from a test CA for the name db.candor.test
#   w1-3 10.77.0.11-13  `candor worker` with sslmode=verify-full and the CA
#   sub  10.77.0.20  `candor batch submit`, then reads results and verifies the audit logs
# Every machine has its own workspace; the keys folder made by `candor keys init` on the
# submitter is copied to the others (as the README says). Inputs are on a path every machine
# sees (here the same file system).
#
# Scenario: JOBS short recordings; when worker 1 holds a job its link is cut (bridge port
# down: packets dropped, no reset) for CUT seconds, longer than the LEASE; when worker 3 holds
# a job it is killed with SIGKILL and started again (a rebooted machine). Then, from the
# submitter: every job done exactly once, the lost leases re-claimed, every result readable
# and matching its hash, one analysis record per session, `candor audit verify --all` passes.
# Before the workers run, the TLS and password failures are checked against the same server:
# wrong password, missing CA file, a CA that did not sign the certificate, a host name that
# is not in it, and sslmode=disable against a server that requires TLS. Each must fail fast
# (bounded), with one line naming the problem and exit 1.
#
# Usage: scripts/netns-cluster.sh [path/to/candor]   (default .build/debug/candor)
# Environment: JOBS (42), LEASE (6 s), CUT (15 s), KEEP=1 keeps the folder of a failed run. Needs root (network namespaces);
# exits 77 with a "skipped" line when namespaces cannot be made. Exit 0: every check passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
CANDOR="$(realpath "${1:-$root/.build/debug/candor}")"
JOBS="${JOBS:-42}"
LEASE="${LEASE:-6}"
CUT="${CUT:-15}"
started=$(date +%s)

say() { echo "[netns] $*" >&2; }
fail() { echo "[netns] FAILED: $*" >&2; exit 1; }

[ -x "$CANDOR" ] || fail "$CANDOR: no candor executable (build first: swift build)"
if [ "$(id -u)" -ne 0 ]; then
  echo "[netns] skipped: network namespaces need root (or CAP_NET_ADMIN and CAP_SYS_ADMIN)" >&2
  exit 77
fi
for tool in ip openssl python3 runuser; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/setup-test.sh installs it)"
done
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || fail "no PostgreSQL under /usr/lib/postgresql (scripts/start-postgres.sh installs it)"

# Unique names, so that runs in parallel do not collide (interface names: 15 characters).
id="$(printf '%04x' $((($$ + RANDOM) % 65536)))"
NS_SW="cnd$id-sw" NS_DB="cnd$id-db" NS_SUB="cnd$id-sub"
NS_W=("cnd$id-w1" "cnd$id-w2" "cnd$id-w3")
T="$(mktemp -d /tmp/candor-netns.XXXXXX)"
chmod 755 "$T"
pids=()
made_ns=()

cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [ -f "$T/pg/data/postmaster.pid" ]; then
    ip netns exec "$NS_DB" runuser -u postgres -- "$pgbin/pg_ctl" -D "$T/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  for ns in "${made_ns[@]}"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
  done
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
    for f in "$T"/logs/*.log; do [ -f "$f" ] && { echo "--- $f (last lines)" >&2; tail -n 15 "$f" >&2; }; done
  fi
  if [ "$rc" -ne 0 ] && [ -n "${KEEP:-}" ]; then echo "[netns] kept $T" >&2; else rm -rf "$T"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the network -----------------------------------------------------------------------
if ! ip netns add "$NS_SW" 2>/dev/null; then
  echo "[netns] skipped: cannot create network namespaces here (ip netns add failed)" >&2
  exit 77
fi
made_ns+=("$NS_SW")
ip -n "$NS_SW" link add br0 type bridge
ip -n "$NS_SW" link set br0 up
ip -n "$NS_SW" link set lo up
machine() {  # machine NAMESPACE ADDRESS PORTNAME
  local ns="$1" addr="$2" port="$3"
  ip netns add "$ns"
  made_ns+=("$ns")
  ip link add "$port" type veth peer name eth0 netns "$ns"
  ip link set "$port" netns "$NS_SW"
  ip -n "$NS_SW" link set "$port" master br0 up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  # The database's name, as a DNS server would give it (ip netns exec mounts this file on /etc/hosts).
  mkdir -p "/etc/netns/$ns"
  printf '127.0.0.1 localhost\n10.77.0.1 db.candor.test db-alias.candor.test\n' >"/etc/netns/$ns/hosts"
}
machine "$NS_DB" 10.77.0.1 "p$id-db"
machine "${NS_W[0]}" 10.77.0.11 "p$id-w1"
machine "${NS_W[1]}" 10.77.0.12 "p$id-w2"
machine "${NS_W[2]}" 10.77.0.13 "p$id-w3"
machine "$NS_SUB" 10.77.0.20 "p$id-sub"
say "5 namespaces on a bridge (run $id)"

# --- certificates: a test CA, the server's certificate for db.candor.test, and a CA that signed nothing
mkdir -p "$T/tls" "$T/logs"
(
  cd "$T/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Candor test CA" -keyout ca.key -out ca.pem 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Another CA" -keyout other-ca.key -out other-ca.pem 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=db.candor.test" -keyout server.key -out server.csr 2>/dev/null
  printf 'subjectAltName=DNS:db.candor.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext.cnf
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out server.pem 2>/dev/null
)
say "test CA and server certificate for db.candor.test made"

# --- PostgreSQL: TLS only, passwords only --------------------------------------------------
mkdir -p "$T/pg"
cp "$T/tls/server.pem" "$T/tls/server.key" "$T/pg/"
chown -R postgres:postgres "$T/pg"
chmod 600 "$T/pg/server.key"
DBPASS="netns-$(openssl rand -hex 8)"
echo "$DBPASS" >"$T/pg/pw"
pg() { ip netns exec "$NS_DB" runuser -u postgres -- "$pgbin/$1" "${@:2}"; }
pg initdb -D "$T/pg/data" -U candor --pwfile="$T/pg/pw" -A scram-sha-256 --no-sync -E UTF8 >"$T/logs/initdb.log" 2>&1 \
  || fail "initdb: $(tail -3 "$T/logs/initdb.log")"
rm -f "$T/pg/pw"
cat >"$T/pg/data/pg_hba.conf" <<'EOF'
# TLS with a password from the network; nothing else.
hostssl all candor 10.77.0.0/24 scram-sha-256
hostnossl all all 0.0.0.0/0 reject
EOF
cat >>"$T/pg/data/postgresql.conf" <<EOF
listen_addresses = '10.77.0.1'
port = 5432
unix_socket_directories = '$T/pg'
ssl = on
ssl_cert_file = '$T/pg/server.pem'
ssl_key_file = '$T/pg/server.key'
password_encryption = 'scram-sha-256'
fsync = off
max_connections = 60
EOF
pg pg_ctl -D "$T/pg/data" -l "$T/pg/postgres.log" -w -t 30 start >/dev/null || fail "PostgreSQL did not start: $(tail -5 "$T/pg/postgres.log")"
say "PostgreSQL $(basename "$(dirname "$pgbin")") on db.candor.test:5432 (hostssl + scram-sha-256 only)"

QUEUE="postgres://candor@db.candor.test:5432/postgres?sslmode=verify-full&sslrootcert=$T/tls/ca.pem"
export PGPASSWORD="$DBPASS"
on() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }

# --- TLS and password errors, against the real server (each bounded, one clear line) --------
tls_case() {  # tls_case NAME URL PASSWORD EXPECTED-WORDS
  local name="$1" url="$2" pass="$3" want="$4" t0 t1 rc out
  t0=$(date +%s.%N)
  set +e
  local penv=(PGPASSWORD="$pass")
  [ -n "$pass" ] || penv=(-u PGPASSWORD)
  out="$(env "${penv[@]}" timeout 60 ip netns exec "$NS_SUB" "$CANDOR" batch status --queue "$url" --workspace "$T/ws-probe" 2>&1 >/dev/null)"
  rc=$?
  set -e
  t1=$(date +%s.%N)
  local secs lines
  secs=$(python3 -c "print(f'{$t1-$t0:.1f}')")
  lines=$(printf '%s\n' "$out" | grep -c .)
  say "tls: $name -> exit $rc in ${secs} s: $out"
  [ "$rc" -eq 1 ] || fail "tls $name: exit $rc (want 1, the documented code for a store that cannot be reached)"
  [ "$lines" -eq 1 ] || fail "tls $name: $lines lines of error (want one)"
  python3 -c "import sys; sys.exit(0 if $secs < 20 else 1)" || fail "tls $name: took ${secs} s (want under 20)"
  printf '%s' "$out" | grep -qiE "$want" || fail "tls $name: the message does not say '$want'"
  if printf '%s' "$out" | grep -qE '\.(c|cc|swift):[0-9]|/src/|\.build/|<none>|'"$DBPASS"; then
    fail "tls $name: the message carries a source path, a placeholder or the password"
  fi
  tls_results+=("$name ${secs}s")
}
tls_results=()
base="postgres://candor@db.candor.test:5432/postgres"
tls_case "no password" "$base?sslmode=verify-full&sslrootcert=$T/tls/ca.pem" "" "asks for a password"
tls_case "wrong password" "$base?sslmode=verify-full&sslrootcert=$T/tls/ca.pem" "not-$DBPASS" "password authentication failed"
tls_case "missing CA file" "$base?sslmode=verify-full&sslrootcert=$T/tls/missing-ca.pem" "$DBPASS" "missing-ca\.pem"
tls_case "wrong CA" "$base?sslmode=verify-full&sslrootcert=$T/tls/other-ca.pem" "$DBPASS" "certificate does not verify"
tls_case "host name not in the certificate" \
  "postgres://candor@db-alias.candor.test:5432/postgres?sslmode=verify-full&sslrootcert=$T/tls/ca.pem" "$DBPASS" "not for the host name"
tls_case "IP address not in the certificate" \
  "postgres://candor@10.77.0.1:5432/postgres?sslmode=verify-full&sslrootcert=$T/tls/ca.pem" "$DBPASS" "not for the host name"
tls_case "sslmode=disable against hostssl only" "$base?sslmode=disable" "$DBPASS" "accepts only TLS"

# --- workspaces, keys, inputs, submit -----------------------------------------------------
mkdir -p "$T/in"
on "$NS_SUB" "$CANDOR" keys init --operator netns-op --workspace "$T/ws-sub" >/dev/null 2>&1 || fail "keys init"
for k in 1 2 3; do mkdir -p "$T/ws-w$k" && cp -a "$T/ws-sub/keys" "$T/ws-w$k/"; done
for k in $(seq 1 "$JOBS"); do
  f0=$((90 + 3 * k))
  "$CANDOR" synth --out "$T/in/rec$(printf %02d "$k").wav" --f0 "$f0" --duration 2 --jitter 0.01 --shimmer 0.05 --snr 30 --seed "$k" \
    >/dev/null 2>&1 || fail "candor synth"
done
on "$NS_SUB" "$CANDOR" batch submit "$T/in" --queue "$QUEUE" --workspace "$T/ws-sub" --case NETNS >"$T/logs/submit.log" 2>&1 \
  || fail "batch submit: $(tail -3 "$T/logs/submit.log")"
say "$JOBS recordings submitted from the submitter machine"

# --- three workers --------------------------------------------------------------------------
# As in the README: results also written to a shared folder (--out); worker 2 runs 2 jobs at once.
worker_args=(--queue "$QUEUE" --exit-when-empty --lease "$LEASE" --poll 0.2 --retry-base 0.5 --threads 1 --grace 5 --out "$T/results")
start_worker() {  # start_worker K LOGSUFFIX
  local k="$1" conc=1
  [ "$k" -eq 2 ] && conc=2
  ip netns exec "${NS_W[$((k - 1))]}" "$CANDOR" worker "${worker_args[@]}" --concurrency "$conc" --workspace "$T/ws-w$k" \
    --status-file "$T/w$k$2.status" >"$T/logs/w$k$2.log" 2>&1 &
  pids+=($!)
  eval "wpid$k$2=$!"
}
start_worker 1 ""
start_worker 2 ""
start_worker 3 ""
in_flight() {  # in_flight STATUSFILE -> the first job id in flight, or nothing
  python3 -c "
import json,sys
try: s=json.load(open('$1'))
except Exception: sys.exit(1)
j=s.get('jobs_in_flight') or []
print(j[0]) if j else sys.exit(1)" 2>/dev/null
}
wait_claim() {  # wait_claim LOG TIMEOUT -> the id of the next job the worker claims (from its log, at once)
  local before end line
  before=$(grep -c ' attempt [0-9]*/' "$1" || true)
  end=$(($(date +%s) + $2))
  while [ "$(date +%s)" -lt "$end" ]; do
    line="$(grep ' attempt [0-9]*/' "$1" | sed -n "$((before + 1))p")"
    if [ -n "$line" ]; then
      echo "$line" | sed 's/^.*job \([0-9]*\) attempt.*$/\1/'
      return 0
    fi
    sleep 0.02
  done
  return 1
}

# Kill worker 3 (SIGKILL) while it holds a job, then start it again on the same machine.
job_killed="$(wait_claim "$T/logs/w3.log" 60)" || fail "worker 3 never claimed a job"
kill -9 "$wpid3"
killed_at=$(date +%s.%N)
say "worker 3 killed with SIGKILL while holding job $job_killed"

# Cut worker 1's link while it holds a job, for longer than the lease.
job_cut="$(wait_claim "$T/logs/w1.log" 60)" || fail "worker 1 never claimed a job"
ip -n "$NS_SW" link set "p$id-w1" down
cut_at=$(date +%s.%N)
say "worker 1's link cut while it holds job $job_cut (for $CUT s; lease $LEASE s)"
# While the link is down: start worker 3 again after 2 s, and watch worker 1's status file
# for the moment it gives the job up (it must, within one lease, writing nothing for it).
restarted="" gave_up=""
while :; do
  el=$(python3 -c "import time; print(f'{time.time()-$cut_at:.1f}')")
  python3 -c "import sys; sys.exit(0 if $el >= $CUT else 1)" && break
  if [ -z "$restarted" ] && python3 -c "import sys; sys.exit(0 if $el >= 2 else 1)"; then
    start_worker 3 "b"
    restarted=1
    say "worker 3 started again"
  fi
  # (the status file is rewritten every second: wait for one written after the cut)
  if [ -z "$gave_up" ] && python3 -c "import os,sys; sys.exit(0 if os.path.getmtime('$T/w1.status') > $cut_at + 0.1 else 1)" \
    && [ "$(in_flight "$T/w1.status" || true)" != "$job_cut" ]; then
    gave_up="$el"
    say "worker 1 gave job $job_cut up $gave_up s after the cut"
  fi
  sleep 0.2
done
# It counts the lease as lost when the lease runs out (LEASE s after its last renewal); if the
# job's own store call failed first, reporting that failure (a bounded call over the dead
# link) is what ends the attempt, which may take a little longer. Either way the job must be
# given up while the link is still down, and (checked below) nothing is written twice.
[ -n "$gave_up" ] || fail "worker 1 still held job $job_cut after a $CUT s cut (lease $LEASE s)"
ip -n "$NS_SW" link set "p$id-w1" up
say "worker 1's link back"

for k in 1 2 3b; do
  p="$(eval echo "\$wpid$k")"
  end=$(($(date +%s) + 300))
  while kill -0 "$p" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
  kill -0 "$p" 2>/dev/null && fail "worker $k still running 300 s later (hung)"
  set +e
  wait "$p"
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || fail "worker $k exited $rc"
done
say "every worker exited 0 (--exit-when-empty)"

# --- checks, all from the submitter machine -----------------------------------------------
on "$NS_SUB" "$CANDOR" batch status --json --queue "$QUEUE" --workspace "$T/ws-sub" >"$T/status.json" 2>"$T/logs/status.log" \
  || fail "batch status: $(cat "$T/logs/status.log")"
on "$NS_SUB" python3 - "$T/status.json" "$JOBS" "$job_killed" "$job_cut" "$killed_at" "$cut_at" "$T" "$CANDOR" "$QUEUE" >"$T/checks.txt" <<'EOF' \
  || fail "$(cat "$T/checks.txt")"
import datetime, glob, hashlib, json, os, subprocess, sys
status, jobs, killed, cut, killed_at, cut_at, T, candor, queue = sys.argv[1:]
s = json.load(open(status))
problems = []
def ts(t): return datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()
if s["counts"]["total"] != int(jobs) or s["counts"]["done"] != int(jobs):
    problems.append(f"counts {s['counts']} (want {jobs} done)")
expired = 0
reclaim = {}
workers = {}
for j in s["jobs"]:
    done = [a for a in j["history"] if a["outcome"] == "done"]
    if len(done) != 1:
        problems.append(f"job {j['id']}: {len(done)} done attempts")
    else:
        workers[done[0]["worker"]] = workers.get(done[0]["worker"], 0) + 1
    expired += sum(1 for a in j["history"] if a["outcome"] == "lease_expired")
    for name, jid, at in (("killed", killed, killed_at), ("cut", cut, cut_at)):
        if str(j["id"]) == jid:
            later = [a for a in j["history"] if a["started_at"] and ts(a["started_at"]) > float(at) - 1 and a["outcome"] == "done"]
            if not any(a["outcome"] == "lease_expired" for a in j["history"]) or not later:
                problems.append(f"job {jid} ({name}): not re-claimed after its lease expired: {j['history']}")
            else:
                reclaim[name] = ts(later[0]["started_at"]) - float(at)
    # The result, read back from this machine, matches the hash the store recorded.
    r = subprocess.run([candor, "batch", "result", str(j["id"]), "--queue", queue, "--workspace", T + "/ws-sub"],
                       capture_output=True)
    if r.returncode != 0 or hashlib.sha256(r.stdout).hexdigest() != (j["result"] or {}).get("sha256"):
        problems.append(f"job {j['id']}: result not readable or hash differs ({r.stderr.decode().strip()})")
    # The --out file in the shared folder: exactly one, the same bytes.
    outs = glob.glob(f"{T}/results/*-{j['input_sha256'][:12]}.analysis.json")
    if len(outs) != 1 or hashlib.sha256(open(outs[0], "rb").read()).hexdigest() != (j["result"] or {}).get("sha256"):
        problems.append(f"job {j['id']}: --out files {outs} missing or differing from the stored result")
    # One analysis record per session (no duplicate from an attempt that lost its lease).
    sh = subprocess.run([candor, "audit", "show", "--case", j["case"], "--session", j["session"], "--workspace", T + "/ws-sub"],
                        capture_output=True, text=True, env=dict(os.environ, CANDOR_AUDIT_DB=queue))
    n = sh.stdout.count("analysis_completed")
    if sh.returncode != 0 or n != 1:
        problems.append(f"job {j['id']} session {j['session']}: {n} analysis_completed records ({sh.stderr.strip()})")
if problems:
    print("; ".join(problems[:10]))
    sys.exit(1)
print(f"{jobs} jobs done exactly once ({', '.join(str(n) for n in sorted(workers.values(), reverse=True))} per worker process), "
      f"{expired} expired leases re-claimed (killed worker's job re-claimed {reclaim.get('killed', 0):.1f} s after the kill, "
      f"cut worker's job {reclaim.get('cut', 0):.1f} s after the cut), every result read back from the submitter with its SHA-256 "
      f"and in the shared --out folder, "
      f"one analysis_completed per session")
EOF
say "$(cat "$T/checks.txt")"
on "$NS_SUB" env CANDOR_AUDIT_DB="$QUEUE" "$CANDOR" audit verify --all --workspace "$T/ws-sub" >"$T/logs/verify.log" 2>&1 \
  || fail "audit verify --all: $(tail -5 "$T/logs/verify.log")"
sessions=$(python3 -c "import json; print(len({j['session'] for j in json.load(open('$T/status.json'))['jobs']}))")
say "audit verify --all from the submitter: $sessions session logs intact"
summary1="$(grep ' done, ' "$T/logs/w1.log" | tail -1 | sed 's/^.*: \([0-9]* done, \)/\1/')"
say "worker 1 (cut off, gave its job up after $gave_up s): $summary1"
say "PASSED in $(($(date +%s) - started)) s ($(date -u +%Y-%m-%dT%H:%MZ)): ${JOBS} jobs, 3 workers (lease ${LEASE} s), 1 link cut ${CUT} s, 1 SIGKILL; TLS and password errors (exit 1, one line): ${tls_results[*]}"
