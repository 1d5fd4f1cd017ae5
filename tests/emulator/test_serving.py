"""The emulator's front end: HTTP/1.1 keep-alive and optional TLS, as CircleCI serves its API."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from reconciler.emulator import EmulatorConfig, EmulatorServer
from tests.emulator.helpers import REPO

TOKEN = "serving-token"


@pytest.fixture
def serve() -> Iterator[object]:
    servers: list[EmulatorServer] = []

    def make(**kwargs: object) -> EmulatorServer:
        server = EmulatorServer(EmulatorConfig(tokens=[TOKEN], **kwargs))  # type: ignore[arg-type]
        servers.append(server)
        server.start()
        return server

    yield make
    for server in servers:
        server.stop()


def _session(server: EmulatorServer) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # this machine's REQUESTS_CA_BUNDLE must not replace ours
    session.headers["Circle-Token"] = TOKEN
    if server.ca_file is not None:
        session.verify = str(server.ca_file)
    return session


def _exchange(sock: socket.socket, raw: bytes) -> bytes:
    sock.sendall(raw)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))
                 .split(b":")[1])  # fmt: skip
    while len(body) < length:
        body += sock.recv(65536)
    return head


def _closed(sock: socket.socket) -> bool:
    sock.settimeout(5)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_one_connection_carries_every_request_of_a_session(serve):
    server = serve()
    session = _session(server)
    for i in range(5):
        assert session.get(server.url + "/api/v2/me").status_code == 200
        created = session.post(
            server.url + "/api/v2/context", json={"name": f"c{i}", "owner": {"slug": "gh/acme"}}
        )
        assert created.status_code == 200 and "close" not in created.headers.get("Connection", "")
    log = session.get(server.url + "/_emulator/requests").json()
    assert {entry["connection"] for entry in log} == {1}
    assert server.connections_opened == 1


def test_unread_bodies_do_not_spill_into_the_next_request(serve):
    server = serve()
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        # The admin route never reads a body; the next request must still parse.
        head = _exchange(
            sock,
            b'POST /_emulator/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n{"a": 123}\n',
        )
        assert head.startswith(b"HTTP/1.1 200")
        chunked = b"PUT /api/v2/me HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        head = _exchange(sock, chunked + b"2\r\n{}\r\n0\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 ")  # answered (401: no token), not garbled
        head = _exchange(sock, b"GET /api/v2/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert b"Connection: close" in head
        assert _closed(sock)
    assert server.connections_opened == 1


def test_http_1_0_clients_get_one_request_per_connection(serve):
    server = serve()
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        head = _exchange(sock, b"GET /api/v2/me HTTP/1.0\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 401") and b"Connection: close" in head
        assert _closed(sock)


def test_stopping_ends_idle_keep_alive_connections(serve):
    server = serve()
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    try:
        _exchange(sock, b"GET /api/v2/me HTTP/1.1\r\nHost: x\r\n\r\n")
        server.stop()
        assert _closed(sock)
    finally:
        sock.close()


def test_tls_with_the_generated_ca_and_refusal_without_it(serve, tmp_path):
    server = serve(tls=True, tls_dir=tmp_path)
    assert server.url.startswith("https://127.0.0.1:")
    assert server.ca_file == tmp_path / "ca.pem"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(server.url + "/api/v2/me", verify=True, timeout=10)
    session = _session(server)
    for _ in range(3):
        assert session.get(server.url + "/api/v2/me").status_code == 200
    # The refused handshake counted as a connection; the session used one more.
    assert server.connections_opened == 2
    # A strict client (Python 3.13's default flags) accepts the chain as well.
    context = ssl.create_default_context(cafile=str(server.ca_file))
    context.verify_flags |= getattr(ssl, "VERIFY_X509_STRICT", 0)
    host, port = server.url.removeprefix("https://").split(":")
    with socket.create_connection((host, int(port))) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as sock:
            assert _exchange(sock, b"GET /api/v2/me HTTP/1.1\r\nHost: x\r\n\r\n").startswith(
                b"HTTP/1.1 401"
            )


def test_cli_with_tls_prints_the_ca_file_second(tmp_path):
    cmd = [sys.executable, "-m", "reconciler.cli", "emulator", "--token", TOKEN, "--tls"]
    cmd += ["--tls-dir", str(tmp_path)]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url, ca = proc.stdout.readline().strip(), proc.stdout.readline().strip()
        assert url.startswith("https://") and ca == str(tmp_path / "ca.pem")
        session = requests.Session()
        session.trust_env = False
        resp = session.get(url + "/api/v2/me", headers={"Circle-Token": TOKEN}, verify=ca)
        assert resp.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_an_idle_tls_connection_is_closed_not_left_unread(serve, tmp_path, monkeypatch):
    from reconciler.emulator import serving

    monkeypatch.setattr(serving.Handler, "timeout", 0.3)
    server = serve(tls=True, tls_dir=tmp_path)
    context = ssl.create_default_context(cafile=str(server.ca_file))
    host, port = server.url.removeprefix("https://").split(":")
    with socket.create_connection((host, int(port))) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as sock:
            _exchange(sock, b"GET /api/v2/me HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _closed(sock)  # after the idle timeout, the server hangs up


def test_a_body_cut_short_is_not_served(serve):
    server = serve()
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            b"PUT /api/v2/context/x/environment-variable/K HTTP/1.1\r\nHost: x\r\n"
            b"Circle-Token: " + TOKEN.encode() + b'\r\nContent-Length: 40\r\n\r\n{"val'
        )
        sock.shutdown(socket.SHUT_WR)  # the client dies before the rest of the body
        assert _closed(sock)
    log = _session(server).get(server.url + "/_emulator/requests").json()
    assert log == []  # never reached the API: no answer, nothing written, nothing logged
