"""A webhook receiver that no one on the driftguard project wrote the checks of.

It verifies every delivery twice, the way receivers do:
  1. the published DriftGuard snippet: hex HMAC-SHA256 of the raw body with the
     secret string, compared with hmac.compare_digest;
  2. the `standardwebhooks` package from PyPI (Webhook(...).verify), which also
     rejects stale timestamps.
It answers 200 when both pass and 401 otherwise, and appends one JSON line per
request to DIR/log.jsonl.

A request to /capture/NAME (a channel without signatures: Teams, Slack,
PagerDuty) is not verified: its raw body is written to DIR/capture/NAME.json
and answered 202, as a Teams Workflows webhook answers, so that a check can
read the exact body driftguard sent.

Usage: RECEIVER_SECRETS='{"/path": "secret", ...}' python3 webhook_receiver.py DIR
It makes its own throw-away CA (DIR/ca.pem, for driftguard's --ca-cert) with the
`cryptography` package, serves HTTPS on 127.0.0.1, and writes its port to DIR/port.
"""

import datetime
import hashlib
import hmac
import http.server
import ipaddress
import json
import os
import ssl
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from standardwebhooks import Webhook, WebhookVerificationError

DIR = sys.argv[1]
SECRETS = json.loads(os.environ["RECEIVER_SECRETS"])


def verify_driftguard_signature(secret: str, body: bytes, header: str) -> bool:
    # The snippet published in docs/src/notifications.md (Verifying a delivery).
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")


def verify_standard_webhooks(secret: str, body: bytes, headers: dict) -> bool:
    # A `whsec_` secret is what Standard Webhooks libraries take; any other
    # secret is keyed with its bytes, as driftguard documents.
    key = secret if secret.startswith("whsec_") else secret.encode()
    try:
        Webhook(key).verify(body, headers)
        return True
    except WebhookVerificationError:
        return False


def make_certificates():
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "verify-webhooks CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    with open(os.path.join(DIR, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(pem))
    with open(os.path.join(DIR, "server.pem"), "wb") as f:
        f.write(leaf.public_bytes(pem))
    with open(os.path.join(DIR, "server.key"), "wb") as f:
        f.write(
            key.private_bytes(
                pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.startswith("/capture/"):
            self.capture(body)
            return
        headers = {k: v for k, v in self.headers.items()}
        secret = SECRETS.get(self.path)
        hex_ok = secret is not None and verify_driftguard_signature(
            secret, body, self.headers.get("X-DriftGuard-Signature")
        )
        std_ok = secret is not None and verify_standard_webhooks(secret, body, headers)
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {}
        entry = {
            "path": self.path,
            "driftguard_signature": hex_ok,
            "standard_webhooks": std_ok,
            "event": self.headers.get("X-DriftGuard-Event"),
            "delivery": self.headers.get("X-DriftGuard-Delivery"),
            "webhook_id": self.headers.get("webhook-id"),
            "id": payload.get("id"),
            "result": payload.get("result"),
        }
        with open(os.path.join(DIR, "log.jsonl"), "a") as f:
            f.write(json.dumps(entry) + "\n")
        status = 200 if hex_ok and std_ok else 401
        answer = b"ok" if status == 200 else b"signature verification failed"
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def capture(self, body):
        name = self.path[len("/capture/"):]
        if not name.isidentifier():
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        os.makedirs(os.path.join(DIR, "capture"), exist_ok=True)
        path = os.path.join(DIR, "capture", name + ".json")
        with open(path + ".tmp", "wb") as f:
            f.write(body)
        os.rename(path + ".tmp", path)
        with open(os.path.join(DIR, "log.jsonl"), "a") as f:
            f.write(json.dumps({"path": self.path, "captured": len(body)}) + "\n")
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        sys.stderr.write("receiver: " + (format % args) + "\n")


def main():
    make_certificates()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(DIR, "server.pem"), os.path.join(DIR, "server.key"))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(os.path.join(DIR, "port.tmp"), "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
    server.serve_forever()


if __name__ == "__main__":
    main()
