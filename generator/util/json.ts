/** Small helpers on JSON values (JSON Schemas are JSON objects). */
import type { JsonValue } from '../model/types.js';

/** A JSON object (not an array, not null). */
export function isJsonObject(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
