#!/usr/bin/env python3
"""A local RFC 3161 time-stamping authority for the tests: `openssl ts -reply` behind a tiny
HTTP server. POST a DER TimeStampReq (application/timestamp-query); the answer is the DER
TimeStampResp (application/timestamp-reply).

    python3 Tests/tsa_server.py DIR      # DIR holds tsa.pem and tsa.key (EKU timeStamping, critical)

It listens on 127.0.0.1 on a free port and writes its URL to DIR/tsa.url. Test use only."""
import http.server
import os
import signal
import subprocess
import sys
import tempfile
import threading

DIR = os.path.abspath(sys.argv[1])
CONFIG = os.path.join(DIR, "tsa.cnf")
LOCK = threading.Lock()

with open(CONFIG, "w") as f:
    f.write(f"""[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = {DIR}
serial = $dir/tsa.serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")
if not os.path.exists(os.path.join(DIR, "tsa.serial")):
    with open(os.path.join(DIR, "tsa.serial"), "w") as f:
        f.write("01\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        query = self.rfile.read(n)
        if self.headers.get("Content-Type") != "application/timestamp-query" or n == 0 or n > 1 << 16:
            self.send_error(400, "expected application/timestamp-query")
            return
        with LOCK, tempfile.TemporaryDirectory() as tmp:
            q, r = os.path.join(tmp, "q.tsq"), os.path.join(tmp, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            p = subprocess.run(["openssl", "ts", "-reply", "-config", CONFIG, "-queryfile", q, "-out", r], capture_output=True)
            if p.returncode != 0:
                self.send_error(500, "openssl ts -reply failed")
                return
            with open(r, "rb") as f:
                reply = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


# The test runner may start us with signals blocked or ignored (inherited): SIGTERM must stop us.
signal.pthread_sigmask(signal.SIG_SETMASK, [])
signal.signal(signal.SIGTERM, signal.SIG_DFL)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
with open(os.path.join(DIR, "tsa.url.tmp"), "w") as f:
    f.write(url + "\n")
os.replace(os.path.join(DIR, "tsa.url.tmp"), os.path.join(DIR, "tsa.url"))
server.serve_forever()
