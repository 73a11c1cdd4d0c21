/**
 * Values for the required parameters of operations, found on the server itself: a project (from
 * `/projects/`, or `--project-id`), one of its stacks, a skeleton (`/{project_id}/skeletons/`), its
 * root node and location, its neuron, a connector, an annotation, a user and a volume. Each lookup
 * goes through a route the model has; one that is missing or fails only leaves its value unknown.
 */
import type { Operation, Parameter, Route, RouteModel } from '../model/types.js';
import { operationSpec } from '../emit/spec.js';
import type { LoadedRuntime } from './runtime.js';

/** Ids (and a location) found on the server, by what they identify. */
export interface ServerValues {
  project?: number;
  stack?: number;
  skeleton?: number;
  treenode?: number;
  connector?: number;
  neuron?: number;
  annotation?: number;
  user?: number;
  volume?: number;
  location?: { x: number; y: number; z: number };
  /** The lookups that failed or found nothing, for the report. */
  notes: string[];
}

/** Which found value fills a parameter, by CATMAID's parameter names (`skeleton_ids`, `skid`, `pid`, …). */
const PARAMETER_VALUES: Record<string, keyof Omit<ServerValues, 'notes' | 'location'>> = {
  project_id: 'project', pid: 'project', project: 'project',
  stack_id: 'stack', stack_ids: 'stack', stack: 'stack',
  skeleton_id: 'skeleton', skeleton_ids: 'skeleton', skid: 'skeleton', skids: 'skeleton', skeleton: 'skeleton',
  treenode_id: 'treenode', treenode_ids: 'treenode', node_id: 'treenode', node_ids: 'treenode', treenode: 'treenode',
  connector_id: 'connector', connector_ids: 'connector',
  neuron_id: 'neuron', neuron_ids: 'neuron',
  // Class instances that annotations link (`annotations/query`): neurons are the ones a project surely has.
  object_ids: 'neuron', entity_ids: 'neuron',
  annotation_id: 'annotation', annotation_ids: 'annotation',
  user_id: 'user', user_ids: 'user',
  volume_id: 'volume', volume_ids: 'volume',
};

/**
 * The value of a parameter from what was found, shaped by its declared type (a list of one for
 * `skeleton_ids`, a string for a string-typed id); undefined when nothing fits.
 */
export function valueFor(param: Parameter, values: ServerValues): unknown {
  const name = param.name.replace(/\[\]$/, '').toLowerCase();
  let value: number | undefined;
  if (name === 'x' || name === 'y' || name === 'z') value = values.location?.[name];
  else {
    const what = PARAMETER_VALUES[name];
    value = what ? values[what] : undefined;
  }
  if (value === undefined) return undefined;
  const scalar = (schema: { type: string } | undefined) => (schema?.type === 'string' ? String(value) : value);
  if (param.type === 'array') return [scalar(param.items)];
  // A plural name typed as a scalar (docstrings often say `type: integer` for a list).
  if (/_ids$|^skids$/.test(name) && param.in !== 'path') return [value];
  return scalar(param);
}

/** The `GET` operation of the model at a path template (or one of its variants), if any. */
export function getOperationAt(model: RouteModel, path: string): { route: Route; op: Operation } | undefined {
  for (const route of model.routes) {
    if (route.path !== path && !route.variants?.includes(path)) continue;
    const op = route.operations.find((o) => o.method === 'GET');
    if (op) return { route, op };
  }
  return undefined;
}

/** Calls a `GET` route of the model by its path template, reading JSON; undefined when the model has no such route. */
export async function getByPath(runtime: LoadedRuntime, client: unknown, model: RouteModel, path: string, params: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
  const found = getOperationAt(model, path);
  if (!found) return undefined;
  return runtime.call(client, { ...operationSpec(found.route, found.op), paths: [path], response: 'json' }, params, { signal });
}

/** How many projects are asked for skeletons when looking for one to read from. */
const MAX_PROJECTS_TRIED = 10;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const idOf = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : isRecord(v) && typeof v['id'] === 'number' ? v['id'] : undefined);
const smallest = (ids: Array<number | undefined>): number | undefined => {
  const found = ids.filter((i): i is number => i !== undefined);
  return found.length ? Math.min(...found) : undefined;
};

/**
 * Finds the values; `projectId` (from `--project-id`) wins over the first listed project.
 * `answers` holds what routes without parameters already answered (the project list read to
 * check the token), so that they are not asked again.
 */
export async function discoverValues(
  runtime: LoadedRuntime,
  client: unknown,
  model: RouteModel,
  options: { projectId?: number; signal: () => AbortSignal; answers?: ReadonlyMap<string, unknown> },
): Promise<ServerValues> {
  const values: ServerValues = { notes: [] };
  const lookup = async (what: string, path: string, params: Record<string, unknown>, quiet = false): Promise<unknown> => {
    if (Object.keys(params).length === 0 && options.answers?.has(path)) return options.answers.get(path);
    try {
      const data = await getByPath(runtime, client, model, path, params, options.signal());
      if (data === undefined && !quiet) values.notes.push(`${what}: the model has no GET ${path}`);
      return data;
    } catch (e) {
      if (!quiet) values.notes.push(`${what}: GET ${path} failed: ${(e as Error).message}`);
      return undefined;
    }
  };

  const projects = await lookup('projects', '/projects/', {});
  const listed = Array.isArray(projects) ? projects.filter(isRecord) : [];
  // Without --project-id: the first real project (CATMAID lists a dummy one with id -1) that has
  // skeletons, so that more operations can be filled; else the first real project.
  const candidates = listed.map(idOf).filter((id): id is number => id !== undefined && id > 0).sort((a, b) => a - b);
  const skeletonsOf = async (project: number, quiet: boolean) => {
    const listedSkeletons = await lookup('skeleton', '/{project_id}/skeletons/', { project_id: project }, quiet);
    return Array.isArray(listedSkeletons) ? smallest(listedSkeletons.map(idOf)) : undefined;
  };
  if (options.projectId !== undefined) {
    values.project = options.projectId;
    values.skeleton = await skeletonsOf(values.project, false);
  } else {
    for (const candidate of candidates.slice(0, MAX_PROJECTS_TRIED)) {
      const skeleton = await skeletonsOf(candidate, true);
      if (skeleton !== undefined) {
        values.project = candidate;
        values.skeleton = skeleton;
        break;
      }
    }
    if (values.project === undefined && candidates[0] !== undefined) {
      values.project = candidates[0];
      await skeletonsOf(values.project, false);
    }
  }
  if (values.project === undefined) {
    values.notes.push('project: no project is visible to this token; give --project-id');
    return values;
  }
  const project = listed.find((p) => idOf(p) === values.project);
  values.stack = smallest((Array.isArray(project?.['stacks']) ? project['stacks'] : []).map(idOf));
  const pid = { project_id: values.project };

  if (values.skeleton !== undefined) {
    const sk = { ...pid, skeleton_id: values.skeleton };
    const root = await lookup('treenode', '/{project_id}/skeletons/{skeleton_id}/root', sk);
    if (isRecord(root) && typeof root['root_id'] === 'number') {
      values.treenode = root['root_id'];
      const [x, y, z] = [root['x'], root['y'], root['z']];
      if (typeof x === 'number' && typeof y === 'number' && typeof z === 'number') values.location = { x, y, z };
    }
    const neuron = await lookup('neuron', '/{project_id}/skeleton/{skeleton_id}/neuronname', sk);
    if (isRecord(neuron) && typeof neuron['neuronid'] === 'number') values.neuron = neuron['neuronid'];
    // compact-detail rows: [treenodes, connectors ([treenode_id, connector_id, relation, x, y, z]), tags, …]
    const detail = await lookup('connector', '/{project_id}/skeletons/{skeleton_id}/compact-detail', { ...sk, with_connectors: true });
    if (Array.isArray(detail) && Array.isArray(detail[1])) values.connector = smallest(detail[1].map((row: unknown) => (Array.isArray(row) && typeof row[1] === 'number' ? row[1] : undefined)));
  }
  const annotations = await lookup('annotation', '/{project_id}/annotations/', pid);
  if (isRecord(annotations) && Array.isArray(annotations['annotations'])) values.annotation = smallest(annotations['annotations'].map(idOf));
  const users = await lookup('user', '/user-list', {});
  if (Array.isArray(users)) values.user = smallest(users.map(idOf));
  // /{project_id}/volumes/: {columns, data: [[id, …], …]} in recent releases, a list of objects before.
  const volumes = await lookup('volume', '/{project_id}/volumes/', pid);
  const rows = isRecord(volumes) && Array.isArray(volumes['data']) ? volumes['data'] : Array.isArray(volumes) ? volumes : [];
  values.volume = smallest(rows.map((r: unknown) => (Array.isArray(r) ? idOf(r[0]) : idOf(r))));

  for (const key of ['stack', 'skeleton', 'treenode', 'connector', 'neuron', 'annotation', 'user', 'volume'] as const) {
    if (values[key] === undefined && !values.notes.some((n) => n.startsWith(`${key}:`))) values.notes.push(`${key}: none found in project ${values.project}`);
  }
  return values;
}
