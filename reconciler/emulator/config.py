"""How an emulator instance is set up (the CLI and the test fixtures build this)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0 = pick a free port
    seed_path: Path | None = None
    # Seeds and tokens hold secrets: keep them out of repr (logs, tracebacks).
    seed: dict[str, Any] | None = field(default=None, repr=False)
    tokens: list[str] = field(default_factory=list, repr=False)  # each: a user in every org
    latency_ms: int = 0
    rate_limit: float = 0  # requests/s per token; 0 = no limit
    fault_rate: float = 0.0
    fault_seed: int | None = None
    page_size: int = 20
    state_file: Path | None = None
    # Hostile answers aimed at routes: specs or objects as faults.FaultRule.parse reads them.
    fault_rules: list[Any] = field(default_factory=list)
    tls: bool = False  # serve https with a generated certificate (needs the openssl command)
    tls_dir: Path | None = None  # where its ca.pem goes; None: a temporary directory
