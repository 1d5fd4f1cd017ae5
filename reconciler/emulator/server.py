"""EmulatorServer: the app on a threaded keep-alive server (TLS optional), in a background
thread."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler.emulator.app import EmulatorApp
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.seed import SeedError, add_token_users, build_world, read_seed
from reconciler.emulator.serving import Server
from reconciler.emulator.tls import make_certificates
from reconciler.emulator.world import World


class EmulatorServer:
    def __init__(self, config: EmulatorConfig, observer: Callable[..., Any] | None = None) -> None:
        self.config = config
        self.world = self._initial_world()
        on_write = self._save if config.state_file is not None else None
        self.app = EmulatorApp(config, self.world, observer, on_write)
        self.url = ""
        self.ca_file: Path | None = None  # with TLS: the CA a client must trust
        self._tmp: Path | None = None
        self._server: Server | None = None
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
        context = None
        if self.config.tls:
            where = self.config.tls_dir
            if where is None:
                where = self._tmp = Path(tempfile.mkdtemp(prefix="circleci-emulator-tls-"))
            certificates = make_certificates(where)
            self.ca_file = certificates.ca
            context = certificates.server_context()
        try:
            server = Server(self.config.host, self.config.port, self.app, context)
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
        scheme = "https" if context is not None else "http"
        self.url = f"{scheme}://{self.config.host}:{server.port}"
        return self.url

    @property
    def connections_opened(self) -> int:
        """TCP connections accepted so far (each request's log entry names its own)."""
        return self._server.connections_opened if self._server is not None else 0

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server.server_close()
        self._server = None
        self._thread = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
