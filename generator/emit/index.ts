/**
 * Everything `generate` writes, as one pure function of the model: the TypeScript package and the
 * OpenAPI document beside it. The CLI runs the same two emitters in two threads (see parallel.ts);
 * this is the single-threaded equivalent the library API and the tests use.
 */
import type { RouteModel } from '../model/types.js';
import { sortFiles, type EmittedFile } from './files.js';
import { emitOpenApi } from './openapi/index.js';
import { emitSdk, type SdkOptions } from './sdk/index.js';

export type { EmittedFile, SdkOptions };

export function emitPackage(model: RouteModel, options: SdkOptions): EmittedFile[] {
  return sortFiles([...emitSdk(model, options), emitOpenApi(model)]);
}
