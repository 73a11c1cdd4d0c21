/**
 * Preloaded (`node --import`) into every process `scripts/bench.mjs` times: on exit, writes the
 * process's peak resident memory in KB (`process.resourceUsage().maxRSS`, all threads) to the file
 * named by BENCH_PEAK_FILE.
 */
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

if (isMainThread && process.env['BENCH_PEAK_FILE']) {
  const file = process.env['BENCH_PEAK_FILE'];
  process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
}
