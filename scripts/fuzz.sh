#!/usr/bin/env bash
# Runs the fuzz suite (test/fuzz.test.ts) with many more cases than `npm test` does.
# Usage: scripts/fuzz.sh [CASES (default 500)] [SEED (default: random)]
# A failure prints fast-check's counterexample and the seed and path to replay it.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_RUNS=${1:-500}
export FUZZ_SEED=${2:-$RANDOM$RANDOM}
echo "fuzz: $FUZZ_RUNS cases, seed $FUZZ_SEED"
exec npx vitest run test/fuzz.test.ts --testTimeout=600000
