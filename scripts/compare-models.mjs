#!/usr/bin/env node
/**
 * Compares two route models of the same CATMAID ref made by two versions of the generator (before
 * and after a change to the analysis): parameters found, per way they were found (the evidence of
 * the newer model), operations added or removed, methods changed, accepted sets, drift findings
 * added and removed.
 *
 * Usage:  node scripts/compare-models.mjs OLD.json NEW.json [--list]
 *         (each from `catmaid-codegen routes --source CATMAID.git --ref REF --json`)
 *
 * --list prints every added/removed parameter and finding, not only the counts.
 */
import { readFileSync } from 'node:fs';

const [oldPath, newPath] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const list = process.argv.includes('--list');
if (!oldPath || !newPath) {
  console.error('usage: node scripts/compare-models.mjs OLD.json NEW.json [--list]');
  process.exit(2);
}
const load = (p) => JSON.parse(readFileSync(p, 'utf8'));
const before = load(oldPath);
const after = load(newPath);

const viewKey = (r) => (r.view ? `${r.view.module}.${r.view.name}` : `?${r.order}`);
function operations(model) {
  const out = new Map();
  for (const r of model.routes) for (const o of r.operations) out.set(`${o.method} ${r.path} ${viewKey(r)}`, { route: r, op: o });
  return out;
}
const a = operations(before);
const b = operations(after);

/** The way a parameter was found, from its read evidence. */
function pattern(p) {
  const reads = (p.evidence ?? []).filter((e) => e.kind === 'read');
  if (!reads.length) return p.in === 'path' ? 'path' : 'docstring only';
  const kinds = new Set();
  for (const e of reads) {
    if (/\(loop over /.test(e.text)) kinds.add('loop over a literal collection');
    else if (/\(keys starting with /.test(e.text)) kinds.add('prefix match');
    else kinds.add('direct read');
    if (/ in [^ ]/.test(e.text.replace(/\(.*?\)/g, ''))) kinds.add('through a helper');
  }
  return [...kinds].sort().join(' + ');
}

const count = (m) => [...m.values()].reduce((n, { op }) => n + op.parameters.filter((p) => p.in !== 'path').length, 0);
const countInferred = (m) => [...m.values()].reduce((n, { op }) => n + op.parameters.filter((p) => p.in !== 'path' && p.inferred).length, 0);
console.log(`operations: ${a.size} → ${b.size}`);
console.log(`non-path parameters: ${count(a)} → ${count(b)}; read by the code: ${countInferred(a)} → ${countInferred(b)}`);

const added = [];
const removed = [];
const byPattern = new Map();
const methodChanges = [];
for (const [key, { op, route }] of b) {
  const old = a.get(key);
  for (const p of op.parameters) {
    if (p.in === 'path') continue;
    const k = pattern(p);
    byPattern.set(k, (byPattern.get(k) ?? 0) + 1);
  }
  if (!old) continue;
  const names = (o) => new Set(o.parameters.filter((p) => p.in !== 'path').map((p) => `${p.name}@${p.in}`));
  const on = names(old.op);
  const nn = names(op);
  for (const n of nn) if (!on.has(n)) added.push(`${key.split(' ').slice(0, 2).join(' ')} ${n} [${pattern(op.parameters.find((p) => `${p.name}@${p.in}` === n))}]`);
  for (const n of on) if (!nn.has(n)) removed.push(`${key.split(' ').slice(0, 2).join(' ')} ${n}`);
  void route;
}
console.log(`parameters added on operations in both: ${added.length}; removed: ${removed.length}`);
console.log('parameters of the newer model by how they were found:');
for (const [k, n] of [...byPattern].sort((x, y) => y[1] - x[1])) console.log(`  ${String(n).padStart(5)}  ${k}`);
const addedByPattern = new Map();
for (const line of added) {
  const k = /\[(.*)\]$/.exec(line)[1];
  addedByPattern.set(k, (addedByPattern.get(k) ?? 0) + 1);
}
console.log('added parameters by how they were found:');
for (const [k, n] of [...addedByPattern].sort((x, y) => y[1] - x[1])) console.log(`  ${String(n).padStart(5)}  ${k}`);

// Methods per route (view + path).
const methodsOf = (model) => {
  const m = new Map();
  for (const r of model.routes) if (r.operations.length) m.set(`${r.path} ${viewKey(r)}`, r.operations.map((o) => o.method).join(','));
  return m;
};
const ma = methodsOf(before);
const mb = methodsOf(after);
for (const [k, v] of mb) if (ma.has(k) && ma.get(k) !== v) methodChanges.push(`${k.split(' ')[0]}: ${ma.get(k)} → ${v}`);
console.log(`routes whose SDK methods changed: ${methodChanges.length}`);
const accepts = new Map();
for (const r of after.routes) {
  const o = r.operations[0];
  if (!o?.accepts) continue;
  const k = o.accepts.methods === 'any' ? 'any' : o.accepts.methods.join(',');
  accepts.set(k, (accepts.get(k) ?? 0) + 1);
}
console.log('routes by accepted methods (newer model):');
for (const [k, n] of [...accepts].sort((x, y) => y[1] - x[1])) console.log(`  ${String(n).padStart(5)}  ${k}`);

const finding = (d) => `${d.code} ${d.operation ?? ''} ${d.file}:${d.line} ${d.message}`;
const fa = new Set(before.diagnostics.map(finding));
const fb = new Set(after.diagnostics.map(finding));
const codes = (s) => {
  const m = new Map();
  for (const f of s) m.set(f.split(' ')[0], (m.get(f.split(' ')[0]) ?? 0) + 1);
  return m;
};
const addedF = [...fb].filter((f) => !fa.has(f));
const removedF = [...fa].filter((f) => !fb.has(f));
console.log(`findings: ${fa.size} → ${fb.size}; added ${addedF.length}, removed ${removedF.length}`);
const ca = codes(fa);
const cb = codes(fb);
for (const c of new Set([...ca.keys(), ...cb.keys()])) console.log(`  ${c}: ${ca.get(c) ?? 0} → ${cb.get(c) ?? 0}`);
if (list) {
  console.log('\n# methods changed');
  methodChanges.forEach((l) => console.log(l));
  console.log('\n# parameters added');
  added.forEach((l) => console.log(l));
  console.log('\n# parameters removed');
  removed.forEach((l) => console.log(l));
  console.log('\n# findings added');
  addedF.sort().forEach((l) => console.log(l));
  console.log('\n# findings removed');
  removedF.sort().forEach((l) => console.log(l));
}
