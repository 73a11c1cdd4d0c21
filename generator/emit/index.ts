/**
 * Everything `generate` writes, as one pure function of the model: the TypeScript package and the
 * OpenAPI document beside it. The CLI runs the same two emitters in two threads (see parallel.ts);
 * this is the single-threaded equivalent the library API and the tests use.
 */
import type { RouteModel } from '../model/types.js';
import { compareText } from '../util/compare.js';
import { emitOpenApi } from './openapi/index.js';
import { emitSdk, type EmittedFile, type SdkOptions } from './sdk/index.js';

export type { EmittedFile, SdkOptions };

/** Sorts emitted files by path, the order every caller writes and compares them in. */
export function sortFiles(files: EmittedFile[]): EmittedFile[] {
  return files.sort((a, b) => compareText(a.path, b.path));
}

export function emitPackage(model: RouteModel, options: SdkOptions): EmittedFile[] {
  return sortFiles([...emitSdk(model, options), emitOpenApi(model)]);
}
