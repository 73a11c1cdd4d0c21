#!/usr/bin/env bash
# Runs `catmaid-codegen routes` on every release tag (and HEAD) of a CATMAID git repository and
# compares each model with the route list Django itself produces for that ref, as written by
# scripts/django-routes.py (or the oracle files in ../shared/oracle/), using check-routes.mjs.
#
# Usage: scripts/check-refs.sh CATMAID_REPO ORACLE_DIR [CHECK_ROUTES_MJS]
#   ORACLE_DIR holds routes-<ref>.json files; refs without one are run but not compared.
set -uo pipefail
repo=${1:?usage: check-refs.sh CATMAID_REPO ORACLE_DIR [CHECK_ROUTES_MJS]}
oracles=${2:?usage: check-refs.sh CATMAID_REPO ORACLE_DIR [CHECK_ROUTES_MJS]}
here=$(cd "$(dirname "$0")/.." && pwd)
check=${3:-$here/../shared/check-routes.mjs}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
refs=$(git --git-dir="$repo" for-each-ref --sort=creatordate --format='%(refname:short)' refs/tags; echo HEAD)
printf '%-12s %7s %7s %6s %6s  %s\n' ref routes dynamic mounts diags check
for ref in $refs; do
  if ! node "$here/dist/cli.js" routes --source "$repo" --ref "$ref" --json >"$tmp/model.json" 2>"$tmp/err"; then
    echo "$ref: routes failed: $(head -1 "$tmp/err")"; failed=1; continue
  fi
  counts=$(node -e 'const m=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(m.routes.length, m.routes.filter(r=>!r.path).length, m.mounts.length, m.diagnostics.length)' "$tmp/model.json")
  result="(no oracle)"
  if [ -f "$oracles/routes-$ref.json" ]; then
    if result=$(node "$check" "$tmp/model.json" "$oracles/routes-$ref.json" 2>&1); then result=$(echo "$result" | tail -1); else failed=1; fi
  fi
  # shellcheck disable=SC2086
  printf '%-12s %7s %7s %6s %6s  %s\n' "$ref" $counts "$result"
done
exit $failed
