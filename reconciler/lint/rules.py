"""The posture rules. Each reads neutral Resources, so the same function judges the manifest
(offline) and the live organization (--live). Messages name objects, never values."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from reconciler.lint.registry import Finding, Severity, View, rule

S = Severity
# Names of long-lived cloud keys that an OIDC token can replace.
CLOUD_KEYS = re.compile(
    r"^(AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|GOOGLE_APPLICATION_CREDENTIALS|GOOGLE_CREDENTIALS"
    r"|GCLOUD_SERVICE_KEY|GCP_SERVICE_ACCOUNT_KEY|GCP_SA_KEY|AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET"
    r"|AZURE_CREDENTIALS)$|(^|_)(AWS_SECRET_ACCESS_KEY|SERVICE_ACCOUNT_KEY)$"
)
# Expressions any branch satisfies: `true`, a match-everything regex, a non-empty test.
_ANY = [
    r"true",
    r"pipeline\.git\.branch\s*=~\s*\"(\^?\.\*\$?|\.\+)\"",
    r"pipeline\.git\.branch\s*!=\s*\"\"",
    r"pipeline\.git\.branch\s+starts-with\s+\"\"",
]
_ANY_RE = re.compile(r"^\(?\s*(" + "|".join(_ANY) + r")\s*\)?$")


def any_branch(expression: str) -> bool:
    """Whether an expression restriction lets every branch through (a disjunction with one
    such part does too)."""
    return any(_ANY_RE.match(part.strip()) for part in re.split(r"\s+or\s+", expression))


@rule(
    "context-unrestricted",
    "Context holding secrets without a restriction",
    S.HIGH,
    ("context", "context_env_var", "context_restriction"),
    """Every pipeline of the organization can read the secrets of a context with no
    restriction, including pipelines of pull requests and of projects that have no business
    with them. An expression restriction that any branch satisfies protects nothing either.""",
    """Restrict the context to the projects that need it (`restrictions.projects`), to a
    group, or with an expression that only protected branches satisfy, e.g.
    `pipeline.git.branch == "main"`.""",
)
def context_unrestricted(view: View) -> Iterator[Finding]:
    for ctx in view.of("context"):
        if not view.under(ctx.address, "context_env_var"):
            continue
        limits = view.under(ctx.address, "context_restriction")
        scoped = [r for r in limits if r.fields.get("type") != "expression"]
        exprs = [str(r.fields.get("value")) for r in limits if r.fields.get("type") == "expression"]
        if scoped or (exprs and not all(any_branch(e) for e in exprs)):
            continue
        why = "only expressions any branch satisfies" if exprs else "no restriction"
        yield Finding(
            "context-unrestricted",
            f"context {ctx.name!r} holds secrets with {why}",
            ctx.address,
            "restrictions",
        )


def _settings(view: View) -> Iterator[tuple[str, dict[str, object]]]:
    for s in view.of("project_settings"):
        yield s.address, s.fields


@rule(
    "fork-prs-receive-secrets",
    "Fork pull requests receive secrets",
    S.CRITICAL,
    ("project_settings",),
    """With `build_fork_prs` and `forks_receive_secret_env_vars` both on, anyone who opens a
    pull request from a fork runs code of their choosing with the project's env vars and
    contexts' secrets: a well-known way to steal deploy credentials.""",
    """Set `forks_receive_secret_env_vars: false`; if fork pull requests must build, keep
    their jobs free of secrets and run secret jobs after review (approval jobs).""",
)
def fork_secrets(view: View) -> Iterator[Finding]:
    for address, fields in _settings(view):
        if fields.get("build_fork_prs") is True and fields.get("forks_receive_secret_env_vars"):
            yield Finding(
                "fork-prs-receive-secrets",
                "fork pull requests are built and receive the project's secrets",
                address,
                "forks_receive_secret_env_vars",
            )


@rule(
    "settings-not-admin-only",
    "Project settings writable by non-admins",
    S.MEDIUM,
    ("project_settings",),
    """With `write_settings_requires_admin` off, any user with write access to the repository
    can change the project's settings, env vars and keys, and so reach its secrets or turn
    on fork builds.""",
    """Set `write_settings_requires_admin: true` in the project's `settings`.""",
)
def settings_admin(view: View) -> Iterator[Finding]:
    for address, fields in _settings(view):
        # Offline only what the manifest writes is known; live, CircleCI's default is off.
        off = fields.get("write_settings_requires_admin") is False or (
            view.live and not fields.get("write_settings_requires_admin")
        )
        if off:
            yield Finding(
                "settings-not-admin-only",
                "non-admin users may change this project's settings",
                address,
                "write_settings_requires_admin",
            )


@rule(
    "webhook-tls-unverified",
    "Webhook does not verify TLS",
    S.HIGH,
    ("webhook",),
    """A webhook with `verify_tls: false` sends build data to whoever answers on the network
    path: the receiver's certificate is not checked, so the delivery can be intercepted.""",
    """Set `verify_tls: true` and give the receiver a certificate from a trusted authority.""",
)
def webhook_tls(view: View) -> Iterator[Finding]:
    for h in view.of("webhook"):
        if h.fields.get("verify_tls") is False:
            yield Finding(
                "webhook-tls-unverified",
                f"webhook {h.name!r} does not verify TLS",
                h.address,
                "verify_tls",
            )


@rule(
    "webhook-unsigned",
    "Webhook without a signing secret",
    S.MEDIUM,
    ("webhook",),
    """Without a signing secret the receiver cannot tell CircleCI's deliveries from forged
    ones, and may act on events nobody sent.""",
    """Set `signing_secret: {env: NAME}` and check the `circleci-signature` header in the
    receiver.""",
)
def webhook_unsigned(view: View) -> Iterator[Finding]:
    for h in view.of("webhook"):
        if view.live:
            unsigned = not h.signal.get("masked")  # CircleCI reports none
        else:
            # In a manifest an absent signing_secret leaves the live one alone (export writes
            # webhooks so): only an explicit empty value says "none".
            literal = h.secret.value if h.secret is not None else None
            unsigned = literal is not None and not literal.reveal()
        if unsigned:
            yield Finding(
                "webhook-unsigned", f"webhook {h.name!r} has no signing secret", h.address
            )


@rule(
    "webhook-not-https",
    "Webhook URL is not https",
    S.HIGH,
    ("webhook",),
    """A delivery over plain http crosses the network in clear and can be read or changed on
    the way. The manifest already refuses such a URL; this rule finds live ones.""",
    """Use an https:// URL for the receiver.""",
)
def webhook_https(view: View) -> Iterator[Finding]:
    for h in view.of("webhook"):
        if not str(h.fields.get("url") or "").lower().startswith("https://"):
            yield Finding(
                "webhook-not-https", f"webhook {h.name!r} does not use https", h.address, "url"
            )


@rule(
    "checkout-user-key",
    "User key used for checkout",
    S.MEDIUM,
    ("checkout_key",),
    """A user key acts with all the access of the user who made it, on every repository they
    can reach, and breaks when they leave. A deploy key reaches one repository, read-only.""",
    """List `deploy-key` instead of `user-key` in `checkout_keys`, unless the build really
    checks out other private repositories (then prefer a machine user's key).""",
)
def user_key(view: View) -> Iterator[Finding]:
    for k in view.of("checkout_key"):
        if k.fields.get("type") == "user-key":
            yield Finding("checkout-user-key", "a user key is used for checkout", k.address)


@rule(
    "checkout-key-duplicate",
    "More than one checkout key of a type",
    S.LOW,
    ("checkout_key",),
    """Only one key of a type is used for checkout; the others are unused credentials, still
    valid on the repository, that nobody rotates.""",
    """Delete the extra keys (list the type in `checkout_keys` and apply: the preferred key
    stays).""",
)
def duplicate_keys(view: View) -> Iterator[Finding]:
    parents = {k.parent for k in view.of("checkout_key")}
    for parent in sorted(p for p in parents if p):
        keys = view.under(parent, "checkout_key")
        for key_type, n in sorted(Counter(str(k.fields.get("type")) for k in keys).items()):
            if n > 1:
                first = next(k for k in keys if k.fields.get("type") == key_type)
                yield Finding(
                    "checkout-key-duplicate", f"{n} {key_type} keys are live", first.address
                )


@rule(
    "long-lived-cloud-credentials",
    "Long-lived cloud credentials where OIDC claims are not configured",
    S.MEDIUM,
    ("project_env_var", "context_env_var"),
    """Static cloud keys stay valid until someone rotates them, and a leaked one works from
    anywhere. CircleCI's OIDC tokens let jobs assume a cloud role for minutes instead. Where
    OIDC custom claims are configured (the organization's or the project's), OIDC is taken
    to be in use and the rule stays quiet.""",
    """Configure the cloud provider to trust CircleCI's OIDC tokens, set the audience and TTL
    the role expects (`oidc_claims`), use the token in the job (e.g. `aws-cli/setup` with
    `role_arn`), and delete the static key.""",
)
def cloud_keys(view: View) -> Iterator[Finding]:
    # OIDC is in use for every object when the organization has claims, else per project.
    org_claims = next(view.of("oidc_claim"), None) is not None
    for kind in ("project_env_var", "context_env_var"):
        for v in view.of(kind):
            claims = org_claims or bool(v.parent and view.under(v.parent, "project_oidc_claim"))
            if CLOUD_KEYS.search(v.name) and not claims:
                yield Finding(
                    "long-lived-cloud-credentials",
                    f"{v.name} looks like a long-lived cloud credential, and no OIDC custom "
                    "claims are configured",
                    v.address,
                )


@rule(
    "schedule-user-attribution",
    "Schedule attributed to a user",
    S.MEDIUM,
    ("schedule",),
    """A schedule attributed to a user runs with that user's permissions and stops when they
    leave the organization or lose access; `current` is whoever applied the manifest last.""",
    """Set `attribution_actor: system`.""",
)
def schedule_user(view: View) -> Iterator[Finding]:
    for s in view.of("schedule"):
        actor = str(s.fields.get("attribution_actor") or "current")
        if actor != "system":
            who = "a user" if actor.startswith("user:") else "the applying user"
            yield Finding(
                "schedule-user-attribution",
                f"schedule {s.name!r} runs as {who}",
                s.address,
                "attribution_actor",
            )


@rule(
    "context-unmanaged",
    "Context outside every manifest",
    S.LOW,
    ("context",),
    """A context no manifest declares is changed by hand, without review, and its secrets
    and restrictions are nobody's: they are what an audit finds too late.""",
    """Add the context to the manifest (`export` writes it), or delete it.""",
)
def unmanaged_context(view: View) -> Iterator[Finding]:
    if not view.live:
        return
    for c in view.of("context"):
        if c.address not in view.declared:
            yield Finding("context-unmanaged", f"context {c.name!r} is in no manifest", c.address)
