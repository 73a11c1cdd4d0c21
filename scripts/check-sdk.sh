#!/usr/bin/env bash
# Generates the TypeScript client for CATMAID refs and type-checks each with `tsc --strict --noEmit`.
# Usage: scripts/check-sdk.sh CATMAID_REPO [REF ...]   (default: HEAD and five releases from 2015 on)
# Output goes to a temporary directory that is removed afterwards; nothing is written here.
set -uo pipefail
repo=${1:?usage: check-sdk.sh CATMAID_REPO [REF ...]}
shift
refs=${*:-HEAD 2021.12.21 2019.06.20 2018.11.09 2017.04.20 2016.04.15 2015.10.19 r2015.1.15}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
printf '%-12s %6s %6s %10s %8s  %s\n' ref files ops generate tsc result
for ref in $refs; do
  out="$tmp/$ref"
  start=$(date +%s%N)
  if ! msg=$(node "$here/dist/cli.js" generate --source "$repo" --ref "$ref" --out "$out" 2>&1); then
    echo "$ref: generate failed: $msg"; failed=1; continue
  fi
  mid=$(date +%s%N)
  ln -s "$here/node_modules" "$out/node_modules"
  if result=$(node "$here/node_modules/typescript/bin/tsc" -p "$out/tsconfig.json" --noEmit 2>&1); then result="tsc --strict ok"; else failed=1; result=$(echo "$result" | head -3); fi
  end=$(date +%s%N)
  files=$(find "$out/src" -name '*.ts' | wc -l)
  ops=$(node -e 'const m=require(process.argv[1]);console.log(m.routes.reduce((n,r)=>n+r.operations.length,0))' "$out/routes.json")
  printf '%-12s %6s %6s %8sms %6sms  %s\n' "$ref" "$files" "$ops" $(( (mid-start)/1000000 )) $(( (end-mid)/1000000 )) "$result"
done
exit $failed
