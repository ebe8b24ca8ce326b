import { linkModel } from '../model/link-model';
import type { Link, ModelElement, WorkspaceModel } from '../model/workspace-model';

/** A file as the caller read it; `path` is how messages name it (relative to the folder checked, `/`-separated). */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** Reads the files a template refers to (modules, linked templates, parameter files). */
export interface FileHost {
  /** The text of `path` (same form as SourceFile.path), or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
}

/** What reading one entry file yields. */
export interface ReadResult {
  /** Elements with links resolved where the reader could; the rest carry `ref` for the linker. */
  readonly model: WorkspaceModel;
  /** Files this entry pulled in (modules, linked templates, parameter files): not entries of their own. */
  readonly followed: readonly string[];
}

/** One template language: which files it reads, and how. */
export interface Reader {
  /** Whether the file is this reader's to read as an entry (by extension, `$schema`, ...). */
  accepts(file: SourceFile): boolean;
  /** Reads an entry file; `workspace` lists every file being read, for pairing with parameter files. Never throws. */
  read(file: SourceFile, host: FileHost, workspace: readonly SourceFile[]): ReadResult;
}

export function emptyModel(): WorkspaceModel {
  return { vnets: [], subnets: [], nsgs: [], nics: [], routeTables: [], workspaces: [], computes: [], firewalls: [], problems: [] };
}

export function mergeModels(models: readonly WorkspaceModel[]): WorkspaceModel {
  const out = emptyModel() as { -readonly [K in keyof WorkspaceModel]: WorkspaceModel[K][number][] };
  for (const m of models) {
    out.vnets.push(...m.vnets);
    out.subnets.push(...m.subnets);
    out.nsgs.push(...m.nsgs);
    out.nics.push(...m.nics);
    out.routeTables.push(...m.routeTables);
    out.workspaces.push(...m.workspaces);
    out.computes.push(...m.computes);
    out.firewalls.push(...m.firewalls);
    out.problems.push(...m.problems);
  }
  return out;
}

/** Joins a path relative to the file that names it: `a/b/main.bicep` + `../m.bicep` → `a/m.bicep`. */
export function joinPath(fromFile: string, relative: string): string {
  const rel = relative.replace(/\\/g, '/');
  if (rel.startsWith('/')) return normalizePath(rel);
  const dir = fromFile.replace(/\\/g, '/').split('/').slice(0, -1);
  return normalizePath([...dir, rel].join('/'));
}

function normalizePath(p: string): string {
  const out: string[] = [];
  const absolute = p.startsWith('/');
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else if (part === '..' && absolute) continue;
    else out.push(part);
  }
  return `${absolute ? '/' : ''}${out.join('/')}`;
}

/**
 * Reads a set of files into one linked model: every file some reader accepts is read as an
 * entry, then entries that another entry pulled in (a module, a linked template) are dropped so
 * nothing is counted twice. A reader that throws is reported, never fatal.
 */
export function readWorkspace(files: readonly SourceFile[], host: FileHost, readers: readonly Reader[]): WorkspaceModel {
  const results: { file: SourceFile; result: ReadResult }[] = [];
  for (const file of files) {
    const reader = readers.find((r) => r.accepts(file));
    if (reader) results.push({ file, result: readEntryFile(reader, file, host, files) });
  }
  return combineResults(results);
}

/** Reads one entry file with its reader; a reader that throws gives a problem instead. */
export function readEntryFile(reader: Reader, file: SourceFile, host: FileHost, files: readonly SourceFile[]): ReadResult {
  try {
    return reader.read(file, host, files);
  } catch (e) {
    const model = emptyModel();
    return { model: { ...model, problems: [{ file: file.path, severity: 'error', message: `amlnet could not read this file: ${(e as Error).message}` }] }, followed: [] };
  }
}

/**
 * Drops the entries another entry pulled in, merges the rest and links them (the second half of
 * `readWorkspace`). Each entry kept is a deployment of its own, with its own instances of the
 * modules it calls: where two entries read the same file (a shared module, one template `using`d
 * by two parameter files), the elements they got from it are kept apart by their keys (prefixed
 * with the entry's path), and links by name resolve within an element's own deployment first.
 */
export function combineResults(results: readonly { file: SourceFile; result: ReadResult }[]): WorkspaceModel {
  const followed = new Set<string>();
  for (const { file, result } of results) for (const f of result.followed) if (f !== file.path) followed.add(f);
  const kept = results.filter(({ file }) => !followed.has(file.path));
  if (kept.length <= 1) return linkModel(mergeModels(kept.map((k) => k.result.model)));
  return linkDeployments(kept.map((k) => ({ deployment: k.file.path, model: k.result.model })));
}

/** The elements of a model, every kind. */
function elementsOf(m: WorkspaceModel): readonly (readonly ModelElement[])[] {
  return [m.vnets, m.subnets, m.nsgs, m.nics, m.routeTables, m.workspaces, m.computes, m.firewalls];
}

/**
 * Merges the models of several deployments (each read from one entry) and links them: every
 * element gets its `deployment`, and keys that more than one deployment uses get the deployment
 * in front (`dev.bicep>modules/net.bicep#net/nsg`), so each stays one element of its own.
 */
export function linkDeployments(deployments: readonly { deployment: string; model: WorkspaceModel }[]): WorkspaceModel {
  // How many deployments use each key.
  const uses = new Map<string, number>();
  for (const { model } of deployments) {
    const own = new Set<string>();
    for (const list of elementsOf(model)) for (const e of list) own.add(e.key);
    for (const k of own) uses.set(k, (uses.get(k) ?? 0) + 1);
  }
  const merged = mergeModels(deployments.map(({ deployment, model }) => (
    inDeployment(model, deployment, (key) => ((uses.get(key) ?? 0) > 1 ? `${deployment}>${key}` : key))
  )));
  // A problem of a shared file (a module's syntax error) is reported once, not once per entry.
  const seen = new Set<string>();
  const problems = merged.problems.filter((p) => {
    const id = JSON.stringify([p.file, p.span?.file, p.span?.start, p.span?.end, p.severity, p.message]);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return linkModel(problems.length < merged.problems.length ? { ...merged, problems } : merged);
}

/**
 * The model with every element in `deployment`, and every key, and every reference to one (link
 * targets, a subnet's VNet, a VNet's subnets), mapped by `rename`.
 */
function inDeployment(m: WorkspaceModel, deployment: string, rename: (key: string) => string): WorkspaceModel {
  const link = (l: Link): Link => (l.target !== undefined ? { ...l, target: rename(l.target) } : l);
  // A copy with the deployment, the key renamed and the given properties, where the element has them, mapped.
  const copy = <E extends ModelElement>(e: E, map: { [K in keyof E]?: (v: NonNullable<E[K]>) => E[K] } = {}): E => {
    const out: E = { ...e, key: rename(e.key), deployment };
    for (const k of Object.keys(map) as (keyof E)[]) {
      const v = e[k];
      if (v !== undefined && v !== null) out[k] = map[k]!(v);
    }
    return out;
  };
  return {
    vnets: m.vnets.map((v) => copy(v, { subnets: (l) => l.map(rename) })),
    subnets: m.subnets.map((s) => copy(s, { vnet: rename, nsg: link, routeTable: link })),
    nsgs: m.nsgs.map((n) => copy(n)),
    nics: m.nics.map((n) => copy(n, { nsg: link, subnets: (l) => l.map(link) })),
    routeTables: m.routeTables.map((t) => copy(t)),
    workspaces: m.workspaces.map((w) => copy(w)),
    computes: m.computes.map((c) => copy(c, { subnet: link, workspace: link })),
    firewalls: m.firewalls.map((f) => copy(f, { policy: link, basePolicy: link })),
    problems: m.problems,
  };
}
