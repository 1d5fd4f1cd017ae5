"""Rotating the ledger key, offline. A fingerprint is a keyed hash of a value, so the values
the manifest gives now are all a new key needs: nothing is read from or written to CircleCI,
and no secret is rewritten there."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from reconciler.core import PlanContext
from reconciler.engine import build_desired
from reconciler.errors import ReconcilerError
from reconciler.ledger import KEY_VARIABLE, OLD_KEY_VARIABLE, Ledger
from reconciler.manifest import Manifest, SecretResolver
from reconciler.resources import REGISTRY


def rotation_keys(path: Path, environ: Mapping[str, str]) -> tuple[str, str]:
    """The old and the new key, or one error naming every variable that is not set."""
    old, new = environ.get(OLD_KEY_VARIABLE) or "", environ.get(KEY_VARIABLE) or ""
    missing = [name for name, key in ((OLD_KEY_VARIABLE, old), (KEY_VARIABLE, new)) if not key]
    if missing:
        raise ReconcilerError(
            f"rotating the key of the ledger {path} needs {' and '.join(missing)} "
            f"({OLD_KEY_VARIABLE}: the key it was written with; {KEY_VARIABLE}: the new one)"
        )
    return old, new


def secret_values(manifest: Manifest, resolver: SecretResolver) -> dict[str, str]:
    """Address -> value of every secret the manifest gives a value (the ledger's addresses)."""
    desired = build_desired(PlanContext(manifest=manifest, resolver=resolver))
    return {
        r.address: resolver.resolve(r.secret).reveal()
        for r in desired
        if REGISTRY[r.kind].secret_fields and r.secret is not None and not r.adopted
    }


def rotate_ledger_key(
    manifest: Manifest, resolver: SecretResolver, path: Path, environ: Mapping[str, str]
) -> tuple[int, int]:
    """Re-key the ledger at `path` from the old key to the new one and save it. Answers
    (re-keyed, dropped): a fingerprint whose value changed since the last apply, or that the
    manifest no longer declares, is dropped, and the next apply writes that secret once."""
    old, new = rotation_keys(path, environ)
    if not path.exists():
        raise ReconcilerError(f"there is no ledger at {path} to rotate")
    ledger = Ledger(path, old, variable=OLD_KEY_VARIABLE)
    rekeyed, dropped = ledger.rotate(new, secret_values(manifest, resolver))
    if dropped and not rekeyed and not ledger.key_checked:
        # A ledger from before key checks cannot vouch for the old key: all mismatching is
        # far likelier a wrong key than every value changed. Nothing is saved.
        raise ReconcilerError(
            f"no fingerprint of the ledger {path} matches the manifest's values under "
            f"{OLD_KEY_VARIABLE}: is it the key the ledger was written with? Nothing was changed"
        )
    ledger.save()
    return rekeyed, dropped
