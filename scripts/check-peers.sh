#!/usr/bin/env bash
# Feeds catmaid-codegen's OpenAPI document to other generators, as their users would, and
# type-checks what they write: openapi-typescript, @hey-api/openapi-ts and orval (fetch client);
# then lints the document with @redocly/cli's recommended rules.
#
# Usage: scripts/check-peers.sh CATMAID_GIT_DIR [REF ...]      (default refs: HEAD 2021.12.21)
#   PEERS_DIR=dir reuses an install of the peers there (else a temporary one, removed at the end).
# Needs the npm registry (the peers are installed with npm). Exits non-zero when a peer's output
# does not type-check.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source_dir=${1:?usage: scripts/check-peers.sh CATMAID_GIT_DIR [REF ...]}
shift
refs=("$@")
[ ${#refs[@]} -gt 0 ] || refs=(HEAD 2021.12.21)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
peers=${PEERS_DIR:-$work/peers}
if [ ! -x "$peers/node_modules/.bin/orval" ]; then
  mkdir -p "$peers"
  (cd "$peers" && echo '{"name":"peers","private":true,"type":"module"}' > package.json &&
    npm install --no-audit --no-fund --loglevel=error openapi-typescript @hey-api/openapi-ts orval typescript @redocly/cli >/dev/null)
fi
bin=$peers/node_modules/.bin
tsc_flags=(--strict --noEmit --skipLibCheck --target es2022 --module esnext --moduleResolution bundler --lib es2022,dom)
status=0
check() { # name, file to type-check
  if (cd "$peers" && "$bin/tsc" "${tsc_flags[@]}" "$2" >"$work/tsc.log" 2>&1); then
    echo "  $1: type-checks"
  else
    echo "  $1: $(grep -c 'error TS' "$work/tsc.log") type errors, first: $(grep -m1 'error TS' "$work/tsc.log")"
    status=1
  fi
}
for ref in "${refs[@]}"; do
  out=$work/$ref
  mkdir -p "$out"
  node "$here/dist/cli.js" generate --source "$source_dir" --ref "$ref" --out "$out/sdk" >/dev/null 2>&1
  doc=$out/sdk/openapi.json
  echo "$ref: $(node -e "const d=require('$doc');let n=0;for(const i of Object.values(d.paths))n+=Object.keys(i).filter(k=>['get','post','put','patch','delete'].includes(k)).length;console.log(n+' operations, '+Object.keys(d.components.schemas).length+' component schemas')")"
  (cd "$peers" && "$bin/openapi-typescript" "$doc" -o "$out/ot/schema.d.ts" >/dev/null 2>&1) && check openapi-typescript "$out/ot/schema.d.ts"
  (cd "$peers" && "$bin/openapi-ts" -i "$doc" -o "$out/hey" >/dev/null 2>&1) && check @hey-api/openapi-ts "$out/hey/index.ts"
  (cd "$peers" && "$bin/orval" --input "$doc" --output "$out/orval/api.ts" --client fetch >/dev/null 2>&1) && check "orval (fetch)" "$out/orval/api.ts"
  (cd "$peers" && "$bin/redocly" lint --extends recommended --format summary "$doc" >"$work/lint.log" 2>&1) || true
  echo "  redocly lint (recommended): $(grep -E 'error|warning' "$work/lint.log" | tail -n 40 | tr '\n' ' ' | sed 's/  */ /g')"
done
exit $status
