/**
 * The fact store's files on disk (store.ts): a *pack* holds everything one store kept between two
 * flushes (a `changelog` worker's ref, a `routes` run) — a header line indexing the pack, then the
 * texts of its variants and of its large results, one after the other. One file per flush instead
 * of one per variant: creating files (and directories) was about a tenth of a fresh changelog's
 * CPU, spent in the file system.
 *
 * A pack is written whole to a temporary file and renamed into place, so a reader never sees half
 * of one; it is never changed afterwards. Readers list the directory, read the headers of packs
 * they have not seen, and read a variant's or a result's text by its offset when it is needed.
 * A pack whose first line is not this format's, or whose header does not parse, is of another
 * generator or is not shaped as expected, is ignored; a text it says is beyond its end is missing.
 *
 * Consumes: texts to keep, or a directory of packs. Produces: pack files, their indexes, and texts
 * read back from them.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** The first line of every pack. */
const MAGIC = 'catmaid-codegen facts pack 1';
/** How much of a pack is read at a time while looking for the end of its header. */
const CHUNK = 64 * 1024;

/** Where a text is in a pack: bytes after the header. */
export interface Slice {
  offset: number;
  length: number;
}

/** What a pack holds, from its header. */
export interface PackIndex {
  /** The pack's file name, in the packs directory. */
  name: string;
  /** The generator that wrote it (cache/fingerprint.ts). */
  fingerprint: string;
  /** When it was written (ms since the epoch): newer variants come first. */
  time: number;
  /** Where the header ends and the texts start (bytes from the file's start). */
  bodyStart: number;
  /** Its variants by entry (a digest of kind and key, see store.ts; each variant says its kind and key too). */
  variants: Array<{ entry: string } & Slice>;
  /** Its large results by id (the SHA-256 of the text). */
  results: Array<{ id: string } & Slice>;
}

/** A pack's contents before it is written. */
export interface PackContents {
  variants: Array<{ entry: string; text: string }>;
  results: Array<{ id: string; text: string }>;
}

/** The names of the packs in a directory (none when it does not exist). */
export function listPacks(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.pack'));
  } catch {
    return [];
  }
}

/** When the directory last changed (a pack added), or undefined when it does not exist. */
export function stampOf(dir: string): number | undefined {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Writes a pack whole or not at all (a temporary file renamed into place) into `dir`, made when
 * missing; gives its index (or throws what the file system said).
 */
export async function writePack(dir: string, fingerprint: string, contents: PackContents): Promise<PackIndex> {
  const time = Date.now();
  const name = `${time.toString(36)}-${process.pid}-${threadId}-${Math.random().toString(36).slice(2, 10)}.pack`;
  const texts: string[] = [];
  let offset = 0;
  const place = (text: string): Slice => {
    const length = Buffer.byteLength(text);
    texts.push(text);
    offset += length;
    return { offset: offset - length, length };
  };
  const variants = contents.variants.map(({ entry, text }) => ({ entry, ...place(text) }));
  const results = contents.results.map(({ id, text }) => ({ id, ...place(text) }));
  const header = `${MAGIC}\n${JSON.stringify({ fingerprint, time, variants: variants.map((v) => [v.entry, v.offset, v.length]), results: results.map((r) => [r.id, r.offset, r.length]) })}\n`;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  const temporary = `${path}.tmp`;
  try {
    await writeFile(temporary, header + texts.join(''));
    await rename(temporary, path);
  } catch (e) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw e;
  }
  return { name, fingerprint, time, bodyStart: Buffer.byteLength(header), variants, results };
}

/**
 * The index of a pack of the generator `fingerprint` (of any generator when undefined), or
 * undefined when it is not one.
 */
export function readPackIndex(dir: string, name: string, fingerprint?: string): PackIndex | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(join(dir, name), 'r');
    // The first two lines: the format, then the header.
    let size = 0;
    for (;;) {
      if (scratch.length < size + CHUNK) scratch = grown(scratch, size + CHUNK, size);
      const read = readSync(fd, scratch, size, CHUNK, size);
      size += read;
      const head = scratch.subarray(0, size);
      const magicEnd = head.indexOf(0x0a);
      if (magicEnd >= 0 && head.toString('utf8', 0, magicEnd) !== MAGIC) return undefined;
      const headerEnd = magicEnd < 0 ? -1 : head.indexOf(0x0a, magicEnd + 1);
      if (headerEnd >= 0) return parseHeader(name, fingerprint, head.toString('utf8', magicEnd + 1, headerEnd), headerEnd + 1);
      if (read < CHUNK) return undefined; // ends within its header
    }
  } catch {
    return undefined; // gone, unreadable or not JSON: not used
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Where packs are read into, grown to the largest header or text read (one a thread). */
let scratch: Buffer = Buffer.allocUnsafe(4 * CHUNK);

/** A larger buffer for {@link scratch}, with its first `keep` bytes. */
function grown(buffer: Buffer, size: number, keep: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(size, 2 * buffer.length));
  buffer.copy(bigger, 0, 0, keep);
  return bigger;
}

/** A pack's header (its second line), checked; undefined when it is not of this generator or not as expected. */
function parseHeader(name: string, fingerprint: string | undefined, text: string, bodyStart: number): PackIndex | undefined {
  const header = JSON.parse(text) as { fingerprint?: unknown; time?: unknown; variants?: unknown; results?: unknown };
  if (typeof header.fingerprint !== 'string' || (fingerprint !== undefined && header.fingerprint !== fingerprint) || typeof header.time !== 'number' || !Array.isArray(header.variants) || !Array.isArray(header.results)) return undefined;
  const slice = (o: unknown, l: unknown) => Number.isInteger(o) && Number.isInteger(l) && (o as number) >= 0 && (l as number) >= 0;
  const variants = header.variants as unknown[];
  const results = header.results as unknown[];
  if (!variants.every((v) => Array.isArray(v) && v.length === 3 && typeof v[0] === 'string' && slice(v[1], v[2]))) return undefined;
  if (!results.every((r) => Array.isArray(r) && r.length === 3 && typeof r[0] === 'string' && /^[0-9a-f]{64}$/.test(r[0]) && slice(r[1], r[2]))) return undefined;
  return {
    name,
    fingerprint: header.fingerprint,
    time: header.time,
    bodyStart,
    variants: (variants as Array<[string, number, number]>).map(([entry, offset, length]) => ({ entry, offset, length })),
    results: (results as Array<[string, number, number]>).map(([id, offset, length]) => ({ id, offset, length })),
  };
}


/** The text at `slice` of a pack, or undefined when the pack is gone or shorter than its header says. */
export function readText(dir: string, pack: PackIndex, slice: Slice): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(join(dir, pack.name), 'r');
    if (scratch.length < slice.length) scratch = grown(scratch, slice.length, 0);
    let done = 0;
    while (done < slice.length) {
      const read = readSync(fd, scratch, done, slice.length - done, pack.bodyStart + slice.offset + done);
      if (read === 0) return undefined;
      done += read;
    }
    return scratch.toString('utf8', 0, slice.length);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
