#!/usr/bin/env bash
# make demo: start the local CircleCI emulator, then export, plan (text and Markdown), apply,
# plan again and drift (text and JUnit) against it with the example manifest, after an edit
# made by hand the way a colleague would. Everything runs on 127.0.0.1; nothing leaves the box.
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

# Bold step headers on a terminal only: piped or with NO_COLOR, plain text.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; else BOLD='' PLAIN=''; fi
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"; }
show() { printf '$ %s\n' "$*"; }  # a command as a person would type it
M=examples/demo/manifest.yaml

step "emulator listening on $CIRCLECI_HOST (seeded from scripts/demo-seed.yaml)"
sed -n '2,$p' "$WORK/emulator.out"
step "export: what the organization holds today, as a manifest"
"$CLI" export --org gh/acme --project gh/acme/api -o "$WORK/exported.yaml"
cat "$WORK/exported.yaml"
step "validate $M"
"$CLI" validate "$M"
step "plan (what would change)"
set +e; "$CLI" plan "$M" --ledger "$LEDGER" --detailed-exitcode; rc=$?; set -e
echo "(plan exit code $rc: 2 means changes are pending)"
step "the same plan as a pull-request comment (plan --format markdown)"
"$CLI" plan "$M" --ledger "$LEDGER" --format markdown
step "apply --auto-approve"
"$CLI" apply "$M" --auto-approve --ledger "$LEDGER"
step "plan again (expect no changes, exit 0)"
"$CLI" plan "$M" --ledger "$LEDGER" --detailed-exitcode
step "a colleague edits a context secret by hand, outside the manifest"
CONTEXT_ID=$(curl -s -H "Circle-Token: $CIRCLECI_TOKEN" "$CIRCLECI_HOST/api/v2/context?owner-slug=gh/acme" \
  | "$BIN/python" -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin)["items"] if c["name"]=="aws-prod"][0])')
sleep 1
show "curl -X PUT \"\$CIRCLECI_HOST/api/v2/context/$CONTEXT_ID/environment-variable/AWS_ACCESS_KEY_ID\" \\"
printf '%s\n' "    -H \"Circle-Token: \$CIRCLECI_TOKEN\" -H 'Content-Type: application/json' -d '{\"value\":\"changed-by-hand\"}'"
curl -s -o /dev/null -X PUT "$CIRCLECI_HOST/api/v2/context/$CONTEXT_ID/environment-variable/AWS_ACCESS_KEY_ID" \
  -H "Circle-Token: $CIRCLECI_TOKEN" -H 'Content-Type: application/json' -d '{"value":"changed-by-hand"}'
step "drift (expect the hand edit as tampering, exit 2)"
set +e; "$CLI" drift "$M" --ledger "$LEDGER"; rc=$?; set -e
echo "(drift exit code $rc)"
step "the same drift as a JUnit report for CI (drift --format junit)"
set +e; "$CLI" drift "$M" --ledger "$LEDGER" --format junit --output "$WORK/drift.xml"; set -e
cat "$WORK/drift.xml"
step "API requests served by the emulator: $(curl -s "$CIRCLECI_HOST/_emulator/requests" | "$BIN/python" -c 'import json,sys; print(len(json.load(sys.stdin)))')"
