"""Shared secret handling for env-var-like kinds: desired resources and honest verdicts."""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.core import ApplyContext, PlanContext, Resource, SecretVerdict
from reconciler.errors import ReconcilerError
from reconciler.manifest.envvar import EnvVar
from reconciler.resources.names import child_address


def env_var_resources(kind: str, parent: str, env_vars: Mapping[str, EnvVar]) -> list[Resource]:
    out = []
    for name, ev in sorted(env_vars.items()):
        out.append(
            Resource(
                kind=kind,
                address=child_address(parent, "env_var", name),
                name=name,
                parent=parent,
                secret=ev,
                signal={"version": ev.version},
                protect=ev.protect,
                adopted=ev.adopted,
            )
        )
    return out


def reveal(ctx: PlanContext | ApplyContext, ref: EnvVar | None) -> str:
    """The value of a reference, for a request body only."""
    if ctx.resolver is None or ref is None:
        raise ReconcilerError("a secret was needed before the manifest's secrets were read")
    if ref.adopted:  # the diff never plans a write of one; refuse rather than send nothing
        raise ReconcilerError("a variable adopted without its value is never written")
    return ctx.resolver.resolve(ref).reveal()


def ledger_verdict(desired: Resource, live: Resource, ctx: PlanContext) -> SecretVerdict | None:
    """What the fingerprint ledger knows, if one is configured and has this address."""
    if ctx.ledger is None or ctx.resolver is None:
        return None
    value = reveal(ctx, desired.secret)
    return ctx.ledger.verdict(desired.address, value, desired.signal.get("version"), live.signal)
