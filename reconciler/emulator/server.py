"""EmulatorServer: the app on werkzeug's threaded server, in a background thread."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from reconciler.emulator.app import EmulatorApp
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.seed import SeedError, add_token_users, build_world, read_seed
from reconciler.emulator.world import World

log = logging.getLogger(__name__)


class _Handler(WSGIRequestHandler):
    """Quiet (no access log: query strings may hold tokens), and closes on a dropped answer."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log_error(self, format: str, *args: Any) -> None:
        log.debug("emulator: " + format, *args)

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        # No answer was written: end the connection instead of waiting for another request.
        self.close_connection = True


class _Server(ThreadedWSGIServer):
    request_queue_size = 128  # the default 5 refuses bursts of concurrent clients


class EmulatorServer:
    def __init__(self, config: EmulatorConfig, observer: Callable[..., Any] | None = None) -> None:
        self.config = config
        self.world = self._initial_world()
        on_write = self._save if config.state_file is not None else None
        self.app = EmulatorApp(config, self.world, observer, on_write)
        self.url = ""
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def _initial_world(self) -> World:
        cfg = self.config
        if cfg.state_file is not None and cfg.state_file.exists():
            try:
                world = World.load(json.loads(cfg.state_file.read_text(encoding="utf-8")))
            except (ValueError, AttributeError, KeyError, TypeError) as exc:
                raise SeedError(
                    f"state file {cfg.state_file} is not a saved emulator world "
                    f"({type(exc).__name__})"
                ) from None
            add_token_users(world, list(cfg.tokens))
            return world
        seed = cfg.seed
        if seed is None and cfg.seed_path is not None:
            seed = read_seed(cfg.seed_path)
        return build_world(seed, list(cfg.tokens))

    def _save(self) -> None:
        """Write the world (tokens included, so a restart keeps its users) atomically."""
        assert self.config.state_file is not None
        path = self.config.state_file
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.world.dump(with_tokens=True), fh)
        os.replace(tmp, path)

    def start(self) -> str:
        if self._server is not None:
            return self.url
        try:
            server = _Server(self.config.host, self.config.port, self.app, handler=_Handler)
        except SystemExit:  # werkzeug exits when it cannot bind; callers need an exception
            raise OSError(f"cannot listen on {self.config.host}:{self.config.port}") from None
        if self.config.state_file is not None and not self.config.state_file.exists():
            with self.world.lock:
                self._save()
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self.url = f"http://{self.config.host}:{server.port}"
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server.server_close()
        self._server = None
        self._thread = None
