"""Secrets of awkward shapes and every form a server might echo them in (written apart from
the code under test, so a mistake there is not repeated here)."""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import quote

PEM = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACBqzXk9m1W0c5hO3n0fakefakefakefakefakefakefakefakefakeAAAA\n"
    "-----END OPENSSH PRIVATE KEY-----"
)
SERVICE_ACCOUNT = json.dumps(
    {
        "type": "service_account",
        "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END",
        "client_email": "ci@proj.iam.gserviceaccount.com",
        "path": "C:\\keys\\ci",
    },
    indent=2,
)
QUOTED = "pa\"ss'wo<rd>&amp;\\n%41+x y"
UNICODE = "pässwörd-ключ-秘密-🔑"
SHORT = ["ǂ", "Ωǂ", "¤§ǂ"]
AWKWARD = [PEM, SERVICE_ACCOUNT, QUOTED, UNICODE]


def forms(value: str) -> list[str]:
    """The value as a server may quote it: raw, JSON-escaped, HTML-escaped, URL-encoded,
    base64, and each line of a multi-line value."""
    out = [
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        html.escape(value),
        quote(value, safe=""),
        base64.b64encode(value.encode()).decode(),
    ]
    lines = [line.strip() for line in value.splitlines()]
    out += [line for line in lines if len(line) >= 4 and any(c.isalnum() for c in line)]
    return [f for f in out if f]


def hits(text: str, values: list[str], window: int = 12) -> list[str]:
    """Forms of the values found in text, whole or as any `window`-character piece of one
    (a value cut short must not leak its first part either)."""
    found = []
    for value in values:
        for form in forms(value):
            if len(form) < window:
                if form in text:
                    found.append(form)
                continue
            if any(form[i : i + window] in text for i in range(len(form) - window + 1)):
                found.append(form[:window] + "...")
    return found
