#!/usr/bin/env python3
"""Keep circleci-reconciler's fingerprint ledger in a CircleCI context variable, so that CI
never pushes to a protected main branch and no artifact expires under it.

    ledger_context.py restore LEDGER
        writes LEDGER (and LEDGER.journal) from $RECONCILER_LEDGER, which CircleCI injects
        from the context; writes nothing when it is unset (the first run).
    ledger_context.py save LEDGER --context NAME --org SLUG
        packs LEDGER and LEDGER.journal (gzip, base64) into the context's RECONCILER_LEDGER
        variable through CircleCI's API, with the token apply already holds ($CIRCLECI_TOKEN;
        host from $CIRCLECI_HOST).

The ledger holds no secret value (keyed fingerprints and times only). A context variable
holds at most 32,768 characters: roughly 150 to 200 secrets' fingerprints. Beyond that, keep
the ledger as an artifact instead (see README.md). Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import ipaddress
import json
import os
import sys
import urllib.parse
import urllib.request
from pathlib import Path


def say(text: str) -> None:
    sys.stderr.write(text + "\n")


VARIABLE = "RECONCILER_LEDGER"
LIMIT = 32_768


def _paths(ledger: str) -> dict[str, Path]:
    path = Path(ledger)
    return {"ledger": path, "journal": path.with_name(path.name + ".journal")}


def restore(ledger: str) -> None:
    packed = os.environ.get(VARIABLE, "")
    if not packed:
        say(f"{VARIABLE} is not set: starting without a ledger.")
        return
    files = json.loads(gzip.decompress(base64.b64decode(packed)))
    for name, path in _paths(ledger).items():
        if files.get(name) is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[name], encoding="utf-8")
    say(f"Restored {ledger} from {VARIABLE}.")


def _api(method: str, url: str, token: str, body: object = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Circle-Token", token)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - scheme checked
        return json.loads(answer.read() or b"null")


def _loopback(name: str | None) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name or "").is_loopback
    except ValueError:
        return False


def _host() -> str:
    host = os.environ.get("CIRCLECI_HOST", "https://circleci.com").rstrip("/")
    parts = urllib.parse.urlsplit(host)
    if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(parts.hostname)):
        sys.exit("CIRCLECI_HOST must be https (plain http only to a loopback address)")
    return host


def save(ledger: str, context: str, org: str) -> None:
    files = {
        name: p.read_text(encoding="utf-8") if p.exists() else None
        for name, p in _paths(ledger).items()
    }
    if files["ledger"] is None and files["journal"] is None:
        say(f"No {ledger}: nothing to save.")
        return
    packed = base64.b64encode(gzip.compress(json.dumps(files).encode(), mtime=0)).decode()
    if len(packed) > LIMIT:
        sys.exit(
            f"the packed ledger has {len(packed)} characters, over a context variable's "
            f"{LIMIT}: keep it as an artifact"
        )
    token, api = os.environ["CIRCLECI_TOKEN"], _host() + "/api/v2"
    query = {"owner-slug": org}
    while True:
        page = _api("GET", f"{api}/context?{urllib.parse.urlencode(query)}", token)
        assert isinstance(page, dict)
        found = [c["id"] for c in page.get("items", []) if c.get("name") == context]
        if found or not page.get("next_page_token"):
            break
        query["page-token"] = page["next_page_token"]
    if not found:
        sys.exit(f"no context named {context} in {org}")
    url = f"{api}/context/{found[0]}/environment-variable/{VARIABLE}"
    _api("PUT", url, token, {"value": packed})
    say(f"Saved {ledger} to {VARIABLE} in context {context} ({len(packed)} characters).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["restore", "save"])
    parser.add_argument("ledger")
    parser.add_argument("--context")
    parser.add_argument("--org")
    args = parser.parse_args()
    if args.action == "restore":
        restore(args.ledger)
    elif not (args.context and args.org):
        parser.error("save needs --context and --org")
    else:
        save(args.ledger, args.context, args.org)


if __name__ == "__main__":
    main()
