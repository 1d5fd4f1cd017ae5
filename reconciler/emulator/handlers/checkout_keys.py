"""Checkout keys, API v2 and v1.1. The newest key of a project is its preferred one."""

from __future__ import annotations

from typing import Any

from reconciler.emulator.handlers.identity import v1_location, v1_project
from reconciler.emulator.http import Ctx, Fail, Reply, Route
from reconciler.emulator.util import new_ssh_key
from reconciler.emulator.world import Record

V2_TYPES = {"deploy-key": "deploy-key", "user-key": "github-user-key"}
V1_TYPES = {"deploy-key": "deploy-key", "github-user-key": "github-user-key"}
V1_MISSING = "checkout key not found"
V2_MISSING = "Checkout key not found."


def add_key(ctx_user: Record | None, project: Record, key_type: str, now: str) -> Record:
    public_key, md5, sha256 = new_ssh_key()
    key = {
        "public_key": public_key,
        "type": key_type,
        "fingerprint": md5,
        "fingerprint_sha256": sha256,
        "login": ctx_user["login"] if ctx_user and key_type == "github-user-key" else None,
        "created_at": now,
    }
    project["checkout_keys"].append(key)
    return key


def _find(project: Record, fingerprint: str) -> Record | None:
    return next(
        (
            k
            for k in project["checkout_keys"]
            if fingerprint in (k["fingerprint"], k["fingerprint_sha256"])
        ),
        None,
    )


def _preferred(project: Record, key: Record) -> bool:
    return key is project["checkout_keys"][-1]


def _v2(project: Record, key: Record, digest: str = "md5") -> dict[str, Any]:
    return {
        "public-key": key["public_key"],
        "type": key["type"],
        "fingerprint": key["fingerprint_sha256" if digest == "sha256" else "fingerprint"],
        "preferred": _preferred(project, key),
        "created-at": key["created_at"],
    }


def _v1(project: Record, key: Record) -> dict[str, Any]:
    return {
        "public_key": key["public_key"],
        "type": key["type"],
        "fingerprint": key["fingerprint"],
        "login": key["login"],
        "preferred": _preferred(project, key),
        "time": key["created_at"],
    }


def _key_type(ctx: Ctx, allowed: dict[str, str]) -> str:
    data = ctx.object_body({"type"}, {"type"}, strict=False)
    if data["type"] not in allowed:
        raise Fail(400, "Invalid checkout key type.")
    if allowed[data["type"]] == "github-user-key" and not ctx.user.get("github_authorized", True):
        # Spec: a user key needs the token's user to have authorised GitHub; without it
        # CircleCI answers 500 (circleci-cli PR #1647). The body is our choice (README).
        raise Fail(500, "Internal server error.")
    return allowed[data["type"]]


def v2_list(ctx: Ctx, slug: str) -> Reply:
    project = ctx.project(slug)
    digest = ctx.request.args.get("digest", "md5")
    if digest not in ("md5", "sha256"):
        raise Fail(400, "Invalid digest.")
    items = [_v2(project, k, digest) for k in project["checkout_keys"]]
    return Reply(200, ctx.whole(items))


STANDALONE = "Checkout keys are not available to projects that use GitLab or GitHub App."


def v2_create(ctx: Ctx, slug: str) -> Reply:
    project = ctx.project(slug)
    if project["slug"].startswith("circleci/"):  # spec; status and text are ours (README)
        raise Fail(400, STANDALONE)
    key = add_key(ctx.user, project, _key_type(ctx, V2_TYPES), ctx.world.clock.now())
    return Reply(201, _v2(project, key))


def _existing(project: Record, fingerprint: str, missing: str) -> Record:
    key = _find(project, fingerprint)
    if key is None:
        raise Fail(404, missing)
    return key


def v2_get(ctx: Ctx, slug: str, fingerprint: str) -> Reply:
    project = ctx.project(slug)
    key = _existing(project, fingerprint, V2_MISSING)
    digest = "sha256" if fingerprint.startswith("SHA256:") else "md5"
    return Reply(200, _v2(project, key, digest))


def v2_delete(ctx: Ctx, slug: str, fingerprint: str) -> Reply:
    project = ctx.project(slug)
    project["checkout_keys"].remove(_existing(project, fingerprint, V2_MISSING))
    return Reply(200, {"message": "Checkout key deleted."})


def v1_list(ctx: Ctx, vcs: str, org: str, repo: str) -> Reply:
    project = v1_project(ctx, vcs, org, repo)
    return Reply(200, [_v1(project, k) for k in project["checkout_keys"]])


def v1_create(ctx: Ctx, vcs: str, org: str, repo: str) -> Reply:
    project = v1_project(ctx, vcs, org, repo)
    key = add_key(ctx.user, project, _key_type(ctx, V1_TYPES), ctx.world.clock.now())
    headers = v1_location(ctx, vcs, org, repo, f"checkout-key/{key['fingerprint']}")
    return Reply(201, _v1(project, key), headers)


def v1_get(ctx: Ctx, vcs: str, org: str, repo: str, fingerprint: str) -> Reply:
    project = v1_project(ctx, vcs, org, repo)
    return Reply(200, _v1(project, _existing(project, fingerprint, V1_MISSING)))


def v1_delete(ctx: Ctx, vcs: str, org: str, repo: str, fingerprint: str) -> Reply:
    project = v1_project(ctx, vcs, org, repo)
    project["checkout_keys"].remove(_existing(project, fingerprint, V1_MISSING))
    return Reply(200, {"message": "ok"})


V1 = "/v1.1/project/<vcs>/<org>/<repo>/checkout-key"
V2 = "/v2/project/<slug:slug>/checkout-key"
ROUTES: list[Route] = [
    (V2, "GET", v2_list),
    (V2, "POST", v2_create),
    (V2 + "/<path:fingerprint>", "GET", v2_get),
    (V2 + "/<path:fingerprint>", "DELETE", v2_delete),
    (V1, "GET", v1_list),
    (V1, "POST", v1_create),
    (V1 + "/<path:fingerprint>", "GET", v1_get),
    (V1 + "/<path:fingerprint>", "DELETE", v1_delete),
]
