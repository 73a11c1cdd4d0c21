/**
 * How V8 compiles while threads build models side by side (model/parallel.ts's workers, a build
 * and its helper thread): only code that is really hot is optimized.
 *
 * V8 optimizes a function once it has run enough (its "interrupt budget", about 66 KB of bytecode
 * executed by default in node 20). The optimizing compiler runs on background threads, once per
 * worker, and its code is thrown away when objects it was specialised on die ("weak objects": at
 * every ref's collection, see parse/parser.ts releaseTrees(), 975 deoptimizations in a changelog).
 * With a worker on every core those threads take cores from the workers, and cost more than the
 * optimized code saves: a changelog of every release spent 4.5 s of CPU on them.
 *
 * Measured on CATMAID (2 cores, 39 release tags and HEAD, `--no-cache`, A/B medians):
 * - a changelog took 12.1 s with V8's defaults, 8.4 s with baseline code only (`--max-opt=1`),
 *   and 7.9 s with a budget of 2, 4 or 10 MB (the same: 4 MB is used);
 * - a `diff` of two refs 0.97× of baseline code only;
 * - a build with a helper thread (model/helper.ts: `routes`, `generate`, one release): `routes`
 *   0.84× of one thread with V8's defaults, where the helper had gained nothing (its compiles took
 *   the core it ran on); `generate` 0.99×.
 * One thread alone is left with V8's defaults: there the compiler runs on an idle core (`routes`
 * took the same time either way, `generate` 1.11× with baseline code only).
 *
 * Consumes: nothing. Produces: V8's flags, for the rest of the process (they are the process's,
 * this thread's too; what it does after the build — a changelog's diffs, the docs site — was
 * measured no slower).
 */
import { setFlagsFromString } from 'node:v8';

/** The interrupt budget while workers build side by side: 60× V8's default. */
export const WORKERS_INTERRUPT_BUDGET = 4_000_000;

/** V8 flags a user may have given node, which are then left as they are. */
const USER_TIERING = /^--(interrupt-budget|max-opt|no-opt|no-turbofan|jitless)\b/;

let tuned = false;

/**
 * Sets V8's interrupt budget to {@link WORKERS_INTERRUPT_BUDGET}, once, before workers start;
 * nothing when node was started with tiering flags of the user's own.
 */
export function tuneForWorkers(): void {
  if (tuned) return;
  tuned = true;
  if (process.execArgv.some((a) => USER_TIERING.test(a))) return;
  setFlagsFromString(`--interrupt-budget=${WORKERS_INTERRUPT_BUDGET}`);
}
