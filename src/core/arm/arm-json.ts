/**
 * The JSON side of the ARM reader: jsonc-parser trees with their offsets, plain JSON for the
 * evaluator, values located at the source that produced them, and `// amlnet-check` marks.
 * Nothing here throws on any input.
 */
import { createScanner, type Node, parseTree, printParseErrorCode, SyntaxKind } from 'jsonc-parser';
import type { ReadProblem, SourceSpan } from '../model/workspace-model';
import { SymbolicValue, TemplateString, UnknownValue, type Value, isPlainObject } from '../template/value';
import { AccessError, findKey, getProperty, setKey } from './arm-values';
import type { ArmScope } from './expression-evaluator';

export type { Node } from 'jsonc-parser';

/** A parsed JSON file: its path as messages name it, its text, and its tree (undefined when nothing parses). */
export interface JsonFile {
  readonly path: string;
  readonly text: string;
  readonly root: Node | undefined;
}

/** Deeper JSON than this is not converted for the evaluator (it would be unknown there anyway). */
const MAX_JSON_DEPTH = 400;

/**
 * Parses JSON with comments and trailing commas. Syntax errors become problems with their offset;
 * the tree still holds what parses. A leading byte-order mark is read as a space, so offsets stay.
 */
export function parseJsonFile(path: string, text: string, problems: ReadProblem[], severity: ReadProblem['severity'] = 'error'): JsonFile {
  const source = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const errors: { error: number; offset: number; length: number }[] = [];
  let root: Node | undefined;
  try {
    root = parseTree(source, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  } catch (e) {
    // jsonc-parser descends recursively: absurdly deep nesting overflows the stack.
    const why = e instanceof RangeError ? 'the JSON nests too deeply to read' : `the JSON cannot be read: ${String(e)}`;
    problems.push({ file: path, severity, message: why, span: { file: path, start: 0, end: 0 } });
    return { path, text, root: undefined };
  }
  // One message per place: jsonc-parser often reports two errors at the same offset.
  const seen = new Set<number>();
  for (const err of errors) {
    if (seen.has(err.offset) || seen.size >= 20) continue;
    seen.add(err.offset);
    problems.push({
      file: path,
      severity,
      message: `JSON syntax error: ${describeParseError(printParseErrorCode(err.error))}`,
      span: { file: path, start: err.offset, end: err.offset + err.length },
    });
  }
  return { path, text, root };
}

function describeParseError(code: string): string {
  // "CommaExpected" -> "comma expected"
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export function spanOf(file: string, node: Node): SourceSpan {
  return { file, start: node.offset, end: node.offset + node.length };
}

/** The value node of property `key` of an object node (exact name first, then ARM's case-insensitive match; the last one wins as in JSON.parse). */
export function child(node: Node | undefined, key: string): Node | undefined {
  return propertyNode(node, key)?.children?.[1];
}

/** The property node (key and value) of `key` in an object node. */
export function propertyNode(node: Node | undefined, key: string): Node | undefined {
  if (node?.type !== 'object' || !node.children) return undefined;
  let exact: Node | undefined;
  let loose: Node | undefined;
  let lower: string | undefined;
  for (const p of node.children) {
    const k = p.children?.[0]?.value;
    if (typeof k !== 'string' || k.length !== key.length || !p.children?.[1]) continue;
    if (k === key) exact = p;
    else if (k.toLowerCase() === (lower ??= key.toLowerCase())) loose = p;
  }
  return exact ?? loose;
}

/** The key node of property `key`. */
export function keyNode(node: Node | undefined, key: string): Node | undefined {
  return propertyNode(node, key)?.children?.[0];
}

/** The properties of an object node as [key, value node] pairs. */
export function entries(node: Node | undefined): [string, Node][] {
  if (node?.type !== 'object' || !node.children) return [];
  const out: [string, Node][] = [];
  for (const p of node.children) {
    const k = p.children?.[0]?.value;
    const v = p.children?.[1];
    if (typeof k === 'string' && v) out.push([k, v]);
  }
  return out;
}

/** The elements of an array node. */
export function elements(node: Node | undefined): Node[] {
  return node?.type === 'array' && node.children ? node.children : [];
}

/** A string literal's value. */
export function stringOf(node: Node | undefined): string | undefined {
  return node?.type === 'string' && typeof node.value === 'string' ? node.value : undefined;
}

/** The node as plain JSON for the evaluator; `__proto__` is an ordinary key, too-deep values are left out. */
export function toJson(node: Node | undefined, depth = 0): unknown {
  if (!node) return undefined;
  switch (node.type) {
    case 'string': case 'number': case 'boolean': case 'null':
      return node.value as unknown;
    case 'array':
      if (depth > MAX_JSON_DEPTH) return undefined;
      return (node.children ?? []).map((c) => toJson(c, depth + 1));
    case 'object': {
      if (depth > MAX_JSON_DEPTH) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries(node)) {
        const value = toJson(v, depth + 1);
        if (k === '__proto__') Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
        else out[k] = value;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/**
 * Evaluates a JSON node as `scope.evaluateValue(toJson(node))` does, without converting literal
 * parts first: only expression strings, and objects with a `copy` key (property copies), go to
 * the evaluator.
 */
export function evaluateNode(scope: ArmScope, node: Node, depth = 0): Value {
  switch (node.type) {
    case 'string': {
      const s = node.value as string;
      return s.charCodeAt(0) === 91 /* [ */ ? scope.evaluate(s) : s;
    }
    case 'number': {
      const n = node.value as number;
      return Number.isFinite(n) ? n : scope.evaluateValue(n);
    }
    case 'boolean':
      return node.value as boolean;
    case 'null':
      return null;
    case 'array':
      if (depth > 64) return scope.evaluateValue(toJson(node));
      return (node.children ?? []).map((c) => evaluateNode(scope, c, depth + 1));
    case 'object': {
      const props = entries(node);
      if (depth > 64 || props.some(([k]) => k.length === 4 && k.toLowerCase() === 'copy')) return scope.evaluateValue(toJson(node));
      const out: Record<string, Value> = {};
      for (const [k, v] of props) setKey(out, k, evaluateNode(scope, v, depth + 1));
      return out;
    }
    default:
      return scope.evaluateValue(undefined);
  }
}

/** How the template writes a value, for messages: a string's content, else the JSON source. */
export function sourceText(file: JsonFile, node: Node | undefined): string {
  if (!node) return '';
  const s = stringOf(node);
  if (s !== undefined) return s;
  const raw = file.text.slice(node.offset, node.offset + node.length);
  return raw.length > 200 ? `${raw.slice(0, 197)}...` : raw;
}

/**
 * An evaluated value and the source it came from: the literal node when the template writes it
 * out, the expression string that produced it, or (for a property copy) the input every element
 * of the array is built from.
 */
export interface Located {
  readonly value: Value | undefined;
  readonly node?: Node;
  /** For an array made by a property `copy`: the node each element is built from. */
  readonly each?: Node;
}

/** Property `name` of a located object (ARM matches names without case). */
export function at(loc: Located, name: string): Located {
  const v = loc.value;
  let value: Value | undefined;
  if (v !== undefined && isPlainObject(v)) {
    const key = findKey(v, name);
    value = key === undefined ? undefined : v[key];
  } else if (v instanceof UnknownValue) {
    value = v;
  } else if (v instanceof SymbolicValue) {
    const p = getProperty(v, name);
    value = p instanceof AccessError ? new UnknownValue(p.message) : p;
  }
  const node = loc.node;
  if (node?.type !== 'object') return { value, node: loc.each ? undefined : node };
  const direct = child(node, name);
  if (direct) return { value, node: direct };
  const copy = copyEntry(node, name);
  return copy ? { value, each: child(copy, 'input') ?? copy } : { value };
}

/** Element i of a located array. */
export function item(loc: Located, i: number): Located {
  const v = loc.value;
  const value = Array.isArray(v) ? (v as readonly Value[])[i] : undefined;
  if (loc.each) return { value, node: loc.each };
  const node = loc.node;
  if (node?.type === 'array') return { value, node: node.children?.[i] };
  return { value, node };
}

/** The `copy` entry named `name` in an object node's `copy` array (a property copy). */
export function copyEntry(node: Node, name: string): Node | undefined {
  const copies = child(node, 'copy');
  if (copies?.type !== 'array') return undefined;
  const lower = name.toLowerCase();
  for (const e of elements(copies)) {
    if (stringOf(child(e, 'name'))?.toLowerCase() === lower && child(e, 'input')) return e;
  }
  return undefined;
}

/** Where a located value is written, else the fallback. */
export function locSpan(file: string, loc: Located, fallback: SourceSpan): SourceSpan {
  const node = loc.node ?? loc.each;
  return node ? spanOf(file, node) : fallback;
}

/**
 * The offsets of the first token after each `// amlnet-check` (or `/* amlnet-check *\/`)
 * comment, other comments skipped: a resource whose `{`, key or first property starts there is marked.
 */
export function markOffsets(text: string): ReadonlySet<number> {
  const out = new Set<number>();
  if (!text.includes('amlnet-check')) return out;
  const scanner = createScanner(text, false);
  let pending = false;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.LineCommentTrivia || kind === SyntaxKind.BlockCommentTrivia) {
      const offset = scanner.getTokenOffset();
      if (/^(\/\/|\/\*)\s*amlnet-check\b/.test(text.slice(offset, offset + scanner.getTokenLength()))) pending = true;
      continue;
    }
    if (kind === SyntaxKind.Trivia || kind === SyntaxKind.LineBreakTrivia) continue;
    if (pending) out.add(scanner.getTokenOffset());
    pending = false;
  }
  return out;
}

/** Text of a name or other string-like value for display: symbolic parts in braces. */
export function displayText(v: Value | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof TemplateString) return v.text;
  if (v instanceof SymbolicValue) return `{${v.text}}`;
  if (typeof v === 'number') return String(v);
  return undefined;
}
