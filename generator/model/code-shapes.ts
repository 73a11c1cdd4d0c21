/**
 * What a handler answers as its code shows it: the JSON Schemas of its JSON returns (read by
 * parse/json-shapes.ts, also through a helper whose call it returns), with the calls of other
 * functions they hold (`{ $call: 'helper' }`) replaced by what those functions return — in the
 * same module or another of the tree, a few calls deep, never around a cycle. CATMAID's error
 * answers (`{'error': …}`) are left out.
 *
 * Consumes: a handler's {@link Flow}, the {@link RequestFlow} (to find functions) and the
 * {@link ModuleIndex}. Produces: one merged {@link JsonSchema} with the places it comes from.
 */
import { returnedShapeOf } from '../parse/function-facts.js';
import { CALL_KEY, isOpen, merge, withoutEmptyMarks } from '../parse/json-shapes.js';
import type { ModuleFacts } from '../parse/module.js';
import type { ModuleIndex } from './modules.js';
import type { Flow, RequestFlow } from './request-flow.js';
import type { Evidence, JsonSchema } from './types.js';
import { isJsonObject } from '../util/json.js';

/** How many calls deep a returned value is followed. */
const MAX_CALL_DEPTH = 4;

export class CodeShapes {
  constructor(
    private readonly flow: RequestFlow,
    private readonly modules: ModuleIndex,
  ) {}

  /**
   * The merged shape of a handler's JSON answers to `method` (a return in the branch of another
   * method does not answer it), or undefined when none is read.
   */
  answer(flow: Flow, method: string): { schema: JsonSchema; evidence: Evidence[] } | undefined {
    let schema: JsonSchema | undefined;
    const evidence: Evidence[] = [];
    for (const r of flow.returns) {
      if (!r.schema || isErrorAnswer(r.schema) || (r.methods && !r.methods.includes(method))) continue;
      const resolved = this.resolve(r.schema, this.moduleOf(r.file), []);
      schema = schema ? merge(schema, resolved) : resolved;
      evidence.push({ kind: 'code', text: `${r.constructor}(…)`, file: r.file, line: r.line });
    }
    return schema ? { schema: withoutEmptyMarks(schema), evidence } : undefined;
  }

  private moduleOf(file: string): ModuleFacts | undefined {
    const m = this.modules.byFile(file);
    return m ? this.modules.moduleFacts(m) ?? undefined : undefined;
  }

  /** A shape with its `{ $call }` placeholders replaced by what the called functions return. */
  private resolve(schema: JsonSchema, module: ModuleFacts | undefined, stack: string[]): JsonSchema {
    const call = schema[CALL_KEY];
    if (typeof call === 'string') return this.callShape(call, module, stack);
    if (!JSON.stringify(schema).includes(`"${CALL_KEY}"`)) return schema;
    if (Array.isArray(schema['anyOf'])) return (schema['anyOf'] as JsonSchema[]).map((s) => this.resolve(s, module, stack)).reduce(merge);
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && isJsonObject(value)) {
        out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isJsonObject(v) ? this.resolve(v, module, stack) : v]));
      } else if ((key === 'items' || key === 'additionalProperties') && isJsonObject(value)) {
        out[key] = this.resolve(value, module, stack);
      } else if (key === 'prefixItems' && Array.isArray(value)) {
        out[key] = value.map((v) => (isJsonObject(v) ? this.resolve(v, module, stack) : v));
      } else {
        out[key] = value;
      }
    }
    return out;
  }

  /** What a function of the tree returns, or open where it cannot be read. */
  private callShape(callee: string, module: ModuleFacts | undefined, stack: string[]): JsonSchema {
    if (!module || stack.length >= MAX_CALL_DEPTH) return {};
    const target = this.flow.calleeFunction(callee, module);
    if (!target) return {};
    const id = `${target.module.file}:${target.def.startIndex}`;
    if (stack.includes(id)) return {};
    const shape = returnedShapeOf(this.flow.functionFacts(target.def, target.module));
    return shape && !isOpen(shape) ? this.resolve(shape, target.module, [...stack, id]) : {};
  }
}

/** CATMAID's error answer: an object whose keys include `error`. */
function isErrorAnswer(schema: JsonSchema): boolean {
  const props = schema['properties'];
  return isJsonObject(props) && 'error' in props;
}

