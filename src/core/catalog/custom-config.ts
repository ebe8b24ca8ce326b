import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { getNodeValue, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import schema from '../../../schemas/amlnet-config.schema.json';
import { nearest } from '../suggest';
import { LineIndex } from '../text/line-index';
import { normalizeRegionName } from '../region';
import type { CatalogOptions, Edition, RequirementSpec } from '../requirement';
import {
  BUILT_IN_EDITIONS,
  BUILT_IN_IDS,
  DEFAULT_EDITION,
  defaultOptions,
  editionNames,
  getEdition,
  isBuiltInEdition,
  withRequirements,
  type CustomEditions,
  type EditionExtension,
} from './catalog';

/** The workspace file's name. */
export const CONFIG_FILE_NAME = '.amlnet.json';

/** `.amlnet.json` after validation, with defaults filled into custom requirements. */
export interface AmlnetConfig {
  /** The active edition, when the file picks one. */
  readonly edition?: string;
  /** Options the file sets; the rest keep their defaults. */
  readonly options: Partial<CatalogOptions>;
  /** Custom requirements added to the active edition. */
  readonly requirements: readonly RequirementSpec[];
  /** User editions by name. */
  readonly editions: CustomEditions;
}

/** One problem in the file, with the JSON path of the bad field and where it is (1-based). */
export interface ConfigError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** e.g. `requirements[0].ports[1]`; empty for a syntax error. */
  readonly path: string;
  readonly message: string;
}

/** The result of reading `.amlnet.json`: `config` only when there is no error. */
export interface ConfigResult {
  readonly config?: AmlnetConfig;
  readonly errors: readonly ConfigError[];
}

/** `file:line:column path: message`, the form editors and terminals link. */
export function formatConfigError(error: ConfigError): string {
  const at = `${error.file}:${error.line}:${error.column}`;
  return error.path ? `${at} ${error.path}: ${error.message}` : `${at} ${error.message}`;
}

type Segment = string | number;

interface Located {
  readonly segments: readonly Segment[];
  /** Point at the property name rather than its value (unknown or misplaced properties). */
  readonly atKey?: boolean;
  readonly message: string;
  /** For a missing property: its name, so that one object's missing properties become one error. */
  readonly missing?: string;
}

let validator: ValidateFunction | undefined;

function getValidator(): ValidateFunction {
  if (!validator) {
    // verbose: errors carry the failing data and schema, which the messages quote.
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true });
    // VS Code's JSON service shows these; ajv needs to know they are annotations.
    for (const keyword of ['errorMessage', 'patternErrorMessage']) ajv.addKeyword({ keyword, schemaType: 'string' });
    validator = ajv.compile(schema);
  }
  return validator;
}

/**
 * Reads the text of `.amlnet.json` (comments and trailing commas allowed) and checks it against
 * the schema and the catalog. Never throws: every problem is an error with its path and position.
 */
export function parseConfig(text: string, file: string = CONFIG_FILE_NAME): ConfigResult {
  const lines = new LineIndex(text);
  const at = (offset: number, path: string, message: string): ConfigError => {
    const { line, character } = lines.positionAt(offset);
    return { file, line: line + 1, column: character + 1, path, message };
  };

  const syntax: ParseError[] = [];
  const root = parseTree(text, syntax, { allowTrailingComma: true, disallowComments: false });
  // No value at all (an empty file, or only comments): one clear message rather than "expected a value".
  if (!root) return { errors: [at(0, '', 'the file is empty; expected a JSON object')] };
  if (syntax.length > 0) return { errors: syntax.map((e) => at(e.offset, '', `invalid JSON: ${syntaxMessage(e)}`)) };
  const data: unknown = getNodeValue(root);

  const found: Located[] = [];
  const seen = new Set<string>();
  const missing = new Map<string, { index: number; names: string[] }>();
  const add = (loc: Located | undefined): void => {
    if (!loc) return;
    if (loc.missing !== undefined) {
      const path = fieldKey(loc);
      const entry = missing.get(path);
      if (!entry) {
        missing.set(path, { index: found.length, names: [loc.missing] });
        found.push(loc);
      } else if (!entry.names.includes(loc.missing)) {
        entry.names.push(loc.missing);
        const names = entry.names.map((n) => `"${n}"`).join(', ');
        found[entry.index] = { ...loc, message: `missing required properties ${names}` };
      }
      return;
    }
    const key = fieldKey(loc);
    if (seen.has(key)) return;
    seen.add(key);
    found.push(loc);
  };

  const validate = getValidator();
  if (!validate(data)) {
    for (const e of validate.errors ?? []) add(fromAjv(e, root));
  }
  for (const loc of duplicateKeys(root)) add(loc);
  for (const loc of semanticChecks(data)) add(loc);

  if (found.length > 0) {
    const errors = found.map((loc) => {
      const { node, keyNode } = nodeAt(root, loc.segments);
      return at((loc.atKey && keyNode ? keyNode : node).offset, formatPath(loc.segments), loc.message);
    });
    errors.sort((a, b) => a.line - b.line || a.column - b.column);
    return { errors };
  }
  return { config: normalize(data as RawConfig, file), errors: [] };
}

/**
 * The edition and options a config selects over the defaults; `override` (e.g. command-line flags)
 * wins over the file. The config's custom requirements are added to the edition. Throws on an
 * unknown edition (the message lists the known ones).
 */
export function applyConfig(
  config: AmlnetConfig | undefined,
  override: { readonly edition?: string; readonly options?: Partial<CatalogOptions> } = {},
): { edition: Edition; options: CatalogOptions } {
  const name = override.edition ?? config?.edition ?? DEFAULT_EDITION;
  const edition = withRequirements(getEdition(name, config?.editions ?? {}), config?.requirements ?? []);
  const options: Record<string, unknown> = { ...defaultOptions() };
  for (const layer of [config?.options ?? {}, override.options ?? {}]) {
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) options[k] = v;
  }
  if (typeof options.region === 'string') options.region = normalizeRegionName(options.region);
  return { edition, options: options as unknown as CatalogOptions };
}

// ---------------------------------------------------------------------------------------------
// Positions and paths

function syntaxMessage(e: ParseError): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'expected a property name',
    ValueExpected: 'expected a value',
    ColonExpected: 'expected a colon',
    CommaExpected: 'expected a comma',
    CloseBraceExpected: 'expected "}"',
    CloseBracketExpected: 'expected "]"',
    EndOfFileExpected: 'expected the end of the file',
    InvalidCommentToken: 'invalid comment',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character',
  };
  const code = printParseErrorCode(e.error);
  return words[code] ?? code;
}

/** `requirements[0].ports[1]`, `editions["contoso-2026"].extends`. */
export function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

function fieldKey(loc: Located): string {
  return JSON.stringify(loc.segments);
}

/** The node at a path, or the deepest ancestor present; with the property-name node when the last step is a property. */
function nodeAt(root: JsonNode, segments: readonly Segment[]): { node: JsonNode; keyNode?: JsonNode } {
  let node = root;
  let keyNode: JsonNode | undefined;
  for (const s of segments) {
    if (node.type === 'object' && typeof s === 'string') {
      // The last of duplicate properties is the one that counts, as in JSON.parse.
      let prop: JsonNode | undefined;
      for (const p of node.children ?? []) if (p.children?.[0]?.value === s) prop = p;
      if (!prop?.children) break;
      keyNode = prop.children[0];
      node = prop.children[1] ?? prop;
    } else if (node.type === 'array' && typeof s === 'number' && node.children?.[s]) {
      node = node.children[s];
      keyNode = undefined;
    } else {
      break;
    }
  }
  return { node, keyNode };
}

/** Ajv's JSON pointer as path segments, array indices as numbers (found by walking the tree). */
function pointerSegments(root: JsonNode, pointer: string): Segment[] {
  if (pointer === '') return [];
  const raw = pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const out: Segment[] = [];
  let node: JsonNode | undefined = root;
  for (const s of raw) {
    if (node?.type === 'array' && /^\d+$/.test(s)) {
      out.push(Number(s));
      node = node.children?.[Number(s)];
    } else {
      out.push(s);
      let next: JsonNode | undefined;
      for (const p of node?.children ?? []) if (p.children?.[0]?.value === s) next = p.children[1];
      node = next;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Schema errors in words

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

function typeWords(type: unknown): string {
  const words: Record<string, string> = {
    boolean: 'true or false', string: 'a string', integer: 'an integer', number: 'a number', array: 'an array', object: 'an object', null: 'null',
  };
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map((t) => words[String(t)] ?? String(t)).join(' or ');
}

/** The likely intended name: a near spelling, else the only candidate containing the text ("AzureChina"). */
export function likelyName(value: string, candidates: readonly string[]): string | undefined {
  const near = nearest(value, candidates);
  if (near !== undefined) return near;
  const lower = value.toLowerCase();
  const containing = lower.length >= 3 ? candidates.filter((c) => c.toLowerCase().includes(lower)) : [];
  return containing.length === 1 ? containing[0] : undefined;
}

function didYouMean(value: unknown, candidates: readonly string[]): string {
  if (typeof value !== 'string') return '';
  const near = likelyName(value, candidates);
  return near !== undefined && near !== value ? ` (did you mean "${near}"?)` : '';
}

function fromAjv(e: ErrorObject, root: JsonNode): Located | undefined {
  const segments = pointerSegments(root, e.instancePath);
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const custom = typeof parent.errorMessage === 'string' ? parent.errorMessage : undefined;
  const params = e.params as Record<string, unknown>;
  const withValue = (predicate: string): string => (isPrimitive(e.data) ? `${JSON.stringify(e.data)} ${predicate}` : predicate);

  // Sub-schema failures of if/then and propertyNames are reported by the inner keywords.
  if (e.keyword === 'if' || e.keyword === 'propertyNames') return undefined;
  if (e.propertyName !== undefined) {
    const why = typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : `does not match ${String(params.pattern)}`;
    return { segments: [...segments, e.propertyName], atKey: true, message: `${JSON.stringify(e.propertyName)} ${why}` };
  }
  switch (e.keyword) {
    case 'required':
      return { segments, missing: String(params.missingProperty), message: `missing required property "${String(params.missingProperty)}"` };
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as object);
      return { segments: [...segments, name], atKey: true, message: `unknown property "${name}"${didYouMean(name, known)}` };
    }
    case 'not': {
      const last = segments[segments.length - 1];
      return { segments, atKey: true, message: `"${String(last)}" ${custom ?? 'is not allowed here'}` };
    }
    default:
      break;
  }
  if (custom !== undefined) return { segments, message: withValue(custom) };
  switch (e.keyword) {
    case 'pattern': {
      const why = typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : `does not match ${String(params.pattern)}`;
      return { segments, message: withValue(why) };
    }
    case 'type':
      return { segments, message: `must be ${typeWords(params.type)}, not ${describeValue(e.data)}` };
    case 'enum': {
      const allowed = (params.allowedValues ?? []) as unknown[];
      return {
        segments,
        message: `${describeValue(e.data)} is not one of ${allowed.map((a) => String(a)).join(', ')}${didYouMean(e.data, allowed.map(String))}`,
      };
    }
    case 'const':
      return { segments, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'minItems':
      return { segments, message: `must have at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}` };
    case 'minLength':
      return { segments, message: 'must not be empty' };
    case 'uniqueItems': {
      const later = Math.max(Number(params.i), Number(params.j));
      const item = Array.isArray(e.data) ? e.data[later] : undefined;
      return { segments: [...segments, later], message: `${describeValue(item)} is listed twice` };
    }
    default:
      return { segments, message: e.message ?? `fails ${e.keyword}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Checks the schema cannot express

function duplicateKeys(node: JsonNode, segments: Segment[] = []): Located[] {
  const out: Located[] = [];
  if (node.type === 'object') {
    const names = new Set<string>();
    for (const p of node.children ?? []) {
      const name = String(p.children?.[0]?.value);
      if (names.has(name)) out.push({ segments: [...segments, name], atKey: true, message: `property "${name}" appears more than once (the last one counts)` });
      names.add(name);
      if (p.children?.[1]) out.push(...duplicateKeys(p.children[1], [...segments, name]));
    }
  } else if (node.type === 'array') {
    (node.children ?? []).forEach((c, i) => out.push(...duplicateKeys(c, [...segments, i])));
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayAt(obj: Record<string, unknown>, key: string): unknown[] {
  const v = obj[key];
  return Array.isArray(v) ? v : [];
}

function idOf(req: unknown): string | undefined {
  return isObject(req) && typeof req.id === 'string' ? req.id : undefined;
}

/** "500-400": a range whose start is above its end. */
function backwardsRanges(req: unknown, at: readonly Segment[]): Located[] {
  if (!isObject(req)) return [];
  const out: Located[] = [];
  const check = (ports: unknown[], base: readonly Segment[]): void => {
    ports.forEach((p, i) => {
      const m = typeof p === 'string' ? /^(\d+)-(\d+)$/.exec(p) : null;
      if (m && Number(m[1]) > Number(m[2])) {
        out.push({ segments: [...base, i], message: `"${p}" is not a valid range: start ${m[1]} is greater than end ${m[2]}` });
      }
    });
  };
  check(arrayAt(req, 'ports'), [...at, 'ports']);
  arrayAt(req, 'conditionalPorts').forEach((cp, k) => {
    if (isObject(cp)) check(arrayAt(cp, 'ports'), [...at, 'conditionalPorts', k, 'ports']);
  });
  return out;
}

function builtInCollision(id: string): string {
  return `"${id}" is a built-in requirement id; give custom requirements their own ids (to change a built-in requirement, define an edition that replaces it)`;
}

function semanticChecks(data: unknown): Located[] {
  if (!isObject(data)) return [];
  const out: Located[] = [];
  const editions = isObject(data.editions) ? data.editions : {};
  const names = [...BUILT_IN_EDITIONS.map((e) => e.name), ...Object.keys(editions).filter((n) => !isBuiltInEdition(n))];
  const knownList = (): string => names.map((n) => (n === DEFAULT_EDITION ? `${n} (default)` : n)).join(', ');

  // The ids each edition ends up with, for remove/replace/add checks; undefined when it cannot be
  // known (unknown base or a cycle, which are reported on "extends").
  const memo = new Map<string, Set<string> | undefined>();
  const idsOf = (name: string, visiting: readonly string[]): Set<string> | undefined => {
    const builtIn = BUILT_IN_EDITIONS.find((e) => e.name === name);
    if (builtIn) return new Set(builtIn.requirements.map((r) => r.id));
    if (memo.has(name)) return memo.get(name);
    const ext = editions[name];
    if (!isObject(ext) || typeof ext.extends !== 'string' || visiting.includes(name)) return undefined;
    const base = idsOf(ext.extends, [...visiting, name]);
    let ids: Set<string> | undefined;
    if (base) {
      ids = new Set(base);
      for (const id of arrayAt(ext, 'remove')) if (typeof id === 'string') ids.delete(id);
      for (const r of arrayAt(ext, 'add')) {
        const id = idOf(r);
        if (id !== undefined) ids.add(id);
      }
    }
    memo.set(name, ids);
    return ids;
  };

  const cycleOf = (start: string): string[] | undefined => {
    const chain = [start];
    let current = start;
    for (;;) {
      const ext = editions[current];
      if (isBuiltInEdition(current) || !isObject(ext) || typeof ext.extends !== 'string') return undefined;
      const next = ext.extends;
      if (next === start) return [...chain, next];
      if (chain.includes(next)) return undefined; // a cycle further up, reported on its own members
      chain.push(next);
      current = next;
    }
  };

  // "edition": the active one must exist.
  if (typeof data.edition === 'string' && data.edition !== '' && !names.includes(data.edition)) {
    out.push({ segments: ['edition'], message: `"${data.edition}" is not a known edition (known: ${knownList()})${didYouMean(data.edition, names)}` });
  }

  // "requirements": ids unique, not built-in, not already in the active edition.
  const activeName = typeof data.edition === 'string' && names.includes(data.edition) ? data.edition : DEFAULT_EDITION;
  const activeIds = idsOf(activeName, []) ?? new Set<string>();
  const firstUse = new Map<string, string>();
  arrayAt(data, 'requirements').forEach((r, i) => {
    const at: Segment[] = ['requirements', i];
    out.push(...backwardsRanges(r, at));
    const id = idOf(r);
    if (id === undefined) return;
    const idAt: Segment[] = [...at, 'id'];
    if (firstUse.has(id)) out.push({ segments: idAt, message: `"${id}" is already used by ${firstUse.get(id)}` });
    else if (BUILT_IN_IDS.has(id)) out.push({ segments: idAt, message: builtInCollision(id) });
    else if (activeIds.has(id)) out.push({ segments: idAt, message: `"${id}" is already a requirement of edition "${activeName}"` });
    if (!firstUse.has(id)) firstUse.set(id, formatPath(at));
  });

  // "editions": names, bases, cycles, and what each removes, replaces and adds.
  for (const [name, ext] of Object.entries(editions)) {
    const at: Segment[] = ['editions', name];
    if (isBuiltInEdition(name)) {
      out.push({ segments: at, atKey: true, message: `"${name}" is a built-in edition; give your edition another name` });
      continue;
    }
    if (!isObject(ext)) continue;
    if (typeof ext.extends === 'string') {
      const cycle = cycleOf(name);
      if (cycle) {
        out.push({ segments: [...at, 'extends'], message: `editions extend each other in a cycle: ${cycle.join(' -> ')}` });
      } else if (!names.includes(ext.extends)) {
        out.push({
          segments: [...at, 'extends'],
          message: `"${ext.extends}" is not a known edition (known: ${knownList()})${didYouMean(ext.extends, names)}`,
        });
      }
    }
    const base = typeof ext.extends === 'string' ? ext.extends : '';
    const baseIds = base !== '' ? idsOf(base, [name]) : undefined;
    const baseIdList = baseIds ? [...baseIds].sort() : [];
    const used = new Map<string, string>();

    const removed = new Set<string>();
    arrayAt(ext, 'remove').forEach((id, i) => {
      if (typeof id !== 'string') return;
      const seg: Segment[] = [...at, 'remove', i];
      if (removed.has(id)) out.push({ segments: seg, message: `"${id}" is listed twice` });
      else if (baseIds && !baseIds.has(id)) {
        out.push({ segments: seg, message: `"${id}" is not a requirement of edition "${base}"${didYouMean(id, baseIdList)}` });
      }
      removed.add(id);
    });
    arrayAt(ext, 'replace').forEach((r, i) => {
      const seg: Segment[] = [...at, 'replace', i];
      out.push(...backwardsRanges(r, seg));
      const id = idOf(r);
      if (id === undefined) return;
      const idAt = [...seg, 'id'];
      if (used.has(id)) out.push({ segments: idAt, message: `"${id}" is already used by ${used.get(id)}` });
      else if (removed.has(id)) out.push({ segments: idAt, message: `"${id}" is both removed and replaced` });
      else if (baseIds && !baseIds.has(id)) {
        out.push({ segments: idAt, message: `"${id}" is not a requirement of edition "${base}" (use "add" for new requirements)${didYouMean(id, baseIdList)}` });
      }
      if (!used.has(id)) used.set(id, formatPath(seg));
    });
    arrayAt(ext, 'add').forEach((r, i) => {
      const seg: Segment[] = [...at, 'add', i];
      out.push(...backwardsRanges(r, seg));
      const id = idOf(r);
      if (id === undefined) return;
      const idAt = [...seg, 'id'];
      if (used.has(id)) out.push({ segments: idAt, message: `"${id}" is already used by ${used.get(id)}` });
      else if (baseIds?.has(id) && !removed.has(id)) {
        out.push({ segments: idAt, message: `"${id}" is already a requirement of edition "${base}" (use "replace" to change it)` });
      } else if (BUILT_IN_IDS.has(id)) out.push({ segments: idAt, message: builtInCollision(id) });
      if (!used.has(id)) used.set(id, formatPath(seg));
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The validated file as catalog types

interface RawConfig {
  edition?: string;
  options?: Record<string, unknown>;
  requirements?: RawRequirement[];
  editions?: Record<string, RawEdition>;
}

type RawRequirement = Record<string, unknown> & { id: string; kind: 'service-tag' | 'host' };

interface RawEdition {
  extends: string;
  title?: string;
  description?: string;
  docs?: string;
  notes?: string[];
  remove?: string[];
  replace?: RawRequirement[];
  add?: RawRequirement[];
}

function portStrings(ports: unknown): string[] {
  return Array.isArray(ports) ? ports.map((p) => String(p)) : [];
}

function toRequirement(raw: RawRequirement, source: string): RequirementSpec {
  const common = {
    id: raw.id,
    purpose: String(raw.purpose),
    ...(Array.isArray(raw.notes) ? { notes: raw.notes.map(String) } : {}),
    ...(Array.isArray(raw.when) ? { when: raw.when } : {}),
    // Custom requirements may have no documentation link; an empty string says so.
    docs: typeof raw.docs === 'string' ? raw.docs : '',
    source: typeof raw.source === 'string' ? raw.source : source,
  };
  if (raw.kind === 'host') {
    return {
      ...common,
      kind: 'host',
      host: String(raw.host),
      protocol: (raw.protocol ?? 'Https') as 'Http' | 'Https' | 'Tcp' | 'Udp',
      ports: raw.ports === undefined ? ['443'] : portStrings(raw.ports),
    } as RequirementSpec;
  }
  return {
    ...common,
    kind: 'service-tag',
    direction: raw.direction,
    protocol: raw.protocol,
    ports: portStrings(raw.ports),
    ...(Array.isArray(raw.conditionalPorts)
      ? { conditionalPorts: (raw.conditionalPorts as Record<string, unknown>[]).map((cp) => ({ ...cp, ports: portStrings(cp.ports) })) }
      : {}),
    remote: raw.remote,
  } as RequirementSpec;
}

function normalize(raw: RawConfig, file: string): AmlnetConfig {
  const editions: Record<string, EditionExtension> = {};
  for (const [name, e] of Object.entries(raw.editions ?? {})) {
    const here = (list: string, i: number): string => `${file} ${formatPath(['editions', name, list, i])}`;
    editions[name] = {
      extends: e.extends,
      ...(e.title !== undefined ? { title: e.title } : {}),
      ...(e.description !== undefined ? { description: e.description } : {}),
      ...(e.docs !== undefined ? { docs: e.docs } : {}),
      ...(e.notes !== undefined ? { notes: e.notes } : {}),
      ...(e.remove !== undefined ? { remove: e.remove } : {}),
      ...(e.replace !== undefined ? { replace: e.replace.map((r, i) => toRequirement(r, here('replace', i))) } : {}),
      ...(e.add !== undefined ? { add: e.add.map((r, i) => toRequirement(r, here('add', i))) } : {}),
    };
  }
  return {
    ...(raw.edition !== undefined ? { edition: raw.edition } : {}),
    options: (raw.options ?? {}) as Partial<CatalogOptions>,
    requirements: (raw.requirements ?? []).map((r, i) => toRequirement(r, `${file} ${formatPath(['requirements', i])}`)),
    editions,
  };
}

/** Names of the editions a config can pick: built-in first. */
export function configEditionNames(config: AmlnetConfig | undefined): string[] {
  return editionNames(config?.editions ?? {});
}
