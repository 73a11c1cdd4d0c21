/**
 * Library API of catmaid-codegen: the same operations the CLI runs, as functions over options
 * objects. Only the CLI writes to disk.
 */
export { openSource, type SourceOptions } from './source/open.js';
export { buildRouteModel, type BuildResult } from './model/build.js';
export type * from './model/types.js';
export type { Diagnostic, DiagnosticCode, DiagnosticLevel } from './diagnostics.js';
export { UsageError } from './errors.js';
export { emitPackage, type EmittedFile, type SdkOptions } from './emit/index.js';
export { emitSdk } from './emit/sdk/index.js';
export { emitOpenApi } from './emit/openapi/index.js';

import { buildRouteModel } from './model/build.js';
import { openSource, type SourceOptions } from './source/open.js';
import type { RouteModel } from './model/types.js';

/** Reads the CATMAID source named by the options and returns its route model. */
export function readRouteModel(options: SourceOptions): RouteModel {
  return buildRouteModel(openSource(options)).model;
}
