"""Real servers on 127.0.0.1 for the notifier tests: an HTTP endpoint and an SMTP server.

The SMTP server (aiosmtpd) offers STARTTLS with a self-signed certificate made
by ``openssl`` at test time, requires TLS before login, and accepts AUTH LOGIN
only.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest


@dataclass
class HttpEndpoint:
    """Records each POST body and responds with ``status`` (changeable between requests)."""

    url: str
    status: int = 200
    bodies: list[Any] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


@contextmanager
def http_endpoint(status: int = 200) -> Iterator[HttpEndpoint]:
    """Run a threaded HTTP server on a free loopback port until the block ends."""
    endpoint = HttpEndpoint(url="", status=status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            endpoint.bodies.append(json.loads(self.rfile.read(length)))
            endpoint.headers.append(dict(self.headers.items()))
            self.send_response(endpoint.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/hook/s3cr3t-token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def free_port() -> int:
    """Return a loopback port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """Make a certificate and key for 127.0.0.1 with openssl; skip (fail under CI) without it."""
    if shutil.which("openssl") is None:
        message = "openssl is not installed; it makes the SMTP test certificate"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class SmtpServer:
    """A running SMTP server and the messages it accepted."""

    port: int
    cert: Path
    messages: list[tuple[str, list[str], str]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


@contextmanager
def smtp_server(folder: Path, username: str, password: str) -> Iterator[SmtpServer]:
    """Run aiosmtpd with STARTTLS required and AUTH LOGIN checking ``username``/``password``."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = self_signed_certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = SmtpServer(port=free_port(), cert=cert)

    class Handler:
        async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
            server.messages.append(
                (envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode())
            )
            return "250 OK"

    def authenticate(
        smtp: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        server.logins.append((mechanism, data.login.decode()))
        ok = data.login.decode() == username and data.password.decode() == password
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=server.port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_exclude_mechanism=["PLAIN"],
        authenticator=authenticate,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
