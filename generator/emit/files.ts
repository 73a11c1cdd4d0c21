/** Emitted files: what every emitter returns and the one order all callers write and compare them in. */
import { compareText } from '../util/compare.js';

export interface EmittedFile {
  /** Path relative to the output directory, `/`-separated. */
  path: string;
  content: string;
}

/** Sorts emitted files by path. */
export function sortFiles(files: EmittedFile[]): EmittedFile[] {
  return files.sort((a, b) => compareText(a.path, b.path));
}
