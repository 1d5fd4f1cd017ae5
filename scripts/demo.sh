#!/usr/bin/env bash
# make demo: start the local CircleCI emulator, then plan, apply, plan again and drift
# against it with the example manifest. Everything runs on 127.0.0.1; nothing leaves the box.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
CLI="$BIN/circleci-reconciler"
WORK=$(mktemp -d)
trap 'kill "$EMU_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$CLI" emulator --seed scripts/demo-seed.yaml --page-size 5 >"$WORK/emulator.out" 2>&1 &
EMU_PID=$!
for _ in $(seq 50); do [ -s "$WORK/emulator.out" ] && break; sleep 0.1; done
export CIRCLECI_HOST=$(head -n1 "$WORK/emulator.out")
export CIRCLECI_TOKEN=demo-token
# The example manifest reads these secrets from the environment (demo values only).
export NPM_TOKEN=npm-demo-0001 WEBHOOK_SECRET=hook-demo-0002
export PROD_AWS_ACCESS_KEY_ID=AKIADEMO0003 PROD_AWS_SECRET_ACCESS_KEY=demo-secret-0004
export CIRCLECI_RECONCILER_LEDGER_KEY=demo-ledger-key
LEDGER="$WORK/ledger.json"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "emulator listening on $CIRCLECI_HOST (seeded from scripts/demo-seed.yaml)"
step "validate examples/demo/manifest.yaml"
"$CLI" validate examples/demo/manifest.yaml
step "plan (what would change)"
set +e; "$CLI" plan examples/demo/manifest.yaml --ledger "$LEDGER" --detailed-exitcode; rc=$?; set -e
echo "(plan exit code $rc: 2 means changes are pending)"
step "apply --auto-approve"
"$CLI" apply examples/demo/manifest.yaml --auto-approve --ledger "$LEDGER"
step "plan again (expect no changes, exit 0)"
"$CLI" plan examples/demo/manifest.yaml --ledger "$LEDGER" --detailed-exitcode
step "someone edits a context secret by hand"
CTX=$(curl -s -H "Circle-Token: $CIRCLECI_TOKEN" "$CIRCLECI_HOST/api/v2/context?owner-slug=gh/acme" \
  | "$BIN/python" -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin)["items"] if c["name"]=="aws-prod"][0])')
sleep 1
curl -s -o /dev/null -X PUT -H "Circle-Token: $CIRCLECI_TOKEN" -H 'Content-Type: application/json' \
  -d '{"value":"changed-by-hand"}' "$CIRCLECI_HOST/api/v2/context/$CTX/environment-variable/AWS_ACCESS_KEY_ID"
step "drift (expect the hand edit as tampering, exit 2)"
set +e; "$CLI" drift examples/demo/manifest.yaml --ledger "$LEDGER"; rc=$?; set -e
echo "(drift exit code $rc)"
step "API requests served by the emulator: $(curl -s "$CIRCLECI_HOST/_emulator/requests" | "$BIN/python" -c 'import json,sys; print(len(json.load(sys.stdin)))')"
