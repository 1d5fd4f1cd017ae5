"""The HTTP front end: HTTP/1.1 keep-alive and optional TLS, as CircleCI's front end serves.

werkzeug's development handler answers every request with `Connection: close` (and waits
10 ms for stray body bytes before closing), so a client's connection reuse would never be
exercised and every request would pay a new connection. This handler reads each request body
whole before the app runs, answers with a Content-Length, and keeps the connection open
until the client closes it, asks to, or stays idle longer than IDLE_SECONDS. With TLS the
handshake happens on the connection's own thread, so a slow client cannot stall accepting.
"""

from __future__ import annotations

import io
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

log = logging.getLogger(__name__)
IDLE_SECONDS = 60.0  # an idle keep-alive connection is closed after this
MAX_BODY = 10_000_000  # request bodies larger than this are refused (413) and the socket closed
CONNECTION_KEY = "emulator.connection"  # environ key: the number of the connection, from 1


class Handler(WSGIRequestHandler):
    """One connection: as many requests as the client sends on it (HTTP/1.1)."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS
    server: Server

    def setup(self) -> None:
        self.number = self.server.count()
        self.refused = False
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.server.tls is not None:
            self.request.settimeout(self.timeout)
            try:
                self.request = self.server.tls.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError) as exc:  # e.g. a client that does not trust us
                log.debug("emulator connection %s: no TLS handshake: %s", self.number, exc)
                self.refused = True
                self.rfile, self.wfile = io.BytesIO(), io.BytesIO()  # the socket is gone
                return
        self.server.track(self.request)
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.request)
            if self.server.tls is not None and not self.refused:
                # socketserver closes the socket it accepted, which TLS has detached: close
                # the TLS one, or the client would keep sending on a connection nobody reads.
                try:
                    self.request.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self.request.close()

    def handle(self) -> None:
        if self.refused:
            return
        try:
            super().handle()
        except (ssl.SSLError, OSError) as exc:  # a failed handshake or a reset: just close
            log.debug("emulator connection %s ended: %s", self.number, exc)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # no access log: query strings may hold tokens

    def log_error(self, format: str, *args: Any) -> None:
        log.debug("emulator: " + format, *args)

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        # No answer was written: end the connection instead of waiting for another request.
        self.close_connection = True

    def _read_body(self, environ: dict[str, Any]) -> bytes | None:
        """The whole request body, so the next request starts at a clean boundary."""
        if environ.get("wsgi.input_terminated"):
            data = environ["wsgi.input"].read(MAX_BODY + 1)
            return data if len(data) <= MAX_BODY else None
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length < 0 or length > MAX_BODY:
            return None
        data = self.rfile.read(length) if length else b""
        if len(data) < length:  # the client went away mid-body: there is no request to serve
            raise ConnectionAbortedError("request body cut short")
        return data

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        try:
            body = self._read_body(environ)
        except ValueError:  # a garbled Content-Length or chunk
            body = None
        except (ConnectionError, TimeoutError) as exc:
            self.connection_dropped(exc, environ)
            return
        if body is None:
            self.close_connection = True
            self._answer("413 Payload Too Large", [("Content-Type", "text/plain")], b"Too large")
            return
        environ["wsgi.input"] = io.BytesIO(body)
        environ["wsgi.input_terminated"] = True
        environ["CONTENT_LENGTH"] = str(len(body))
        environ[CONNECTION_KEY] = self.number
        started: list[Any] = []
        chunks: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            started[:] = [status, headers]
            return chunks.append

        try:
            result = self.server.app(environ, start_response)
            try:
                chunks.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except (ConnectionError, TimeoutError) as exc:
            self.connection_dropped(exc, environ)
            return
        except Exception:
            log.exception("emulator: error on request")
            self.close_connection = True
            started[:] = ["500 INTERNAL SERVER ERROR", [("Content-Type", "application/json")]]
            chunks[:] = [b'{"message":"Internal server error."}']
        status, headers = started
        self._answer(status, headers, b"".join(chunks))

    def _answer(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        """Status line, headers and body in one write (no Nagle/delayed-ACK stall)."""
        if self.request_version != "HTTP/1.1":
            self.close_connection = True
        lines = [f"HTTP/1.1 {status}", f"Date: {self.date_time_string()}"]
        for key, value in headers:
            if key.lower() not in ("content-length", "connection", "transfer-encoding", "date"):
                lines.append(f"{key}: {value}")
        lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + body)
        self.wfile.flush()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed request lines: answer and close, as http.server does."""
        self.close_connection = True
        phrase = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else ""
        self._answer(f"{code} {phrase}", [("Content-Type", "text/plain")], phrase.encode())


class Server(ThreadedWSGIServer):
    """Counts connections (the request log names each request's) and ends them on close."""

    request_queue_size = 128  # the default 5 refuses bursts of concurrent clients

    def __init__(self, host: str, port: int, app: Any, tls: ssl.SSLContext | None) -> None:
        super().__init__(host, port, app, handler=Handler)
        self.tls = tls
        self.ssl_context = tls  # werkzeug's environ says https when set
        self._count = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def connections_opened(self) -> int:
        with self._lock:
            return self._count

    def count(self) -> int:
        with self._lock:
            self._count += 1
            return self._count

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)

    def untrack(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)

    def close_connections(self) -> None:
        """Idle keep-alive connections would otherwise outlive the server."""
        with self._lock:
            socks = list(self._open)
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
