/**
 * The JSON side of the ARM reader: jsonc-parser trees with their offsets, plain JSON for the
 * evaluator, values located at the source that produced them, and `// amlnet-check` marks.
 * Nothing here throws on any input.
 */
import { createScanner, type Node as TreeNode, printParseErrorCode, SyntaxKind, visit } from 'jsonc-parser';
import type { ReadProblem, SourceSpan } from '../model/workspace-model';
import { SymbolicValue, TemplateString, UnknownValue, type Value, isPlainObject } from '../template/value';
import { AccessError, findKey, getProperty, hasOwn, setKey } from './arm-values';
import type { ArmScope } from './expression-evaluator';

// Kinds of tape entries.
const OBJECT = 0;
const ARRAY = 1;
const STRING = 2;
const NUMBER = 3;
const TRUE = 4;
const FALSE = 5;
const NULL = 6;
/** A property name; its value (or a MISSING entry) follows it. */
const KEY = 7;
/** A property written without a value (only in jsonc-parser's error recovery). */
const MISSING = 8;

/** The type of each kind of entry as jsonc-parser names it (a property name is a string). */
const TYPES = ['object', 'array', 'string', 'number', 'boolean', 'boolean', 'null', 'string'] as const;

/**
 * A parsed JSON text as a tape: one entry per value and property name in document order, with its
 * kind and offsets in typed arrays (an object is followed by its key/value pairs, an array by its
 * elements; `next` skips an entry's subtree). Node objects are made only when a reader asks for
 * one, which keeps a large template from becoming tens of thousands of long-lived small objects.
 */
export class JsonDoc {
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  /** The entry after this one's subtree. */
  next: Int32Array;
  count = 0;
  /** Strings and numbers whose value is not their source text as written (escapes; jsonc-parser's recovery). */
  readonly values = new Map<number, string | number>();

  /** Whether entry `i` has a value other than its source text (most documents have none: no map lookup then). */
  rewritten(i: number): boolean {
    return this.values.size !== 0 && this.values.has(i);
  }
  private readonly elementIndex = new Map<number, Int32Array>();

  constructor(readonly text: string, capacity: number) {
    this.kind = new Uint8Array(capacity);
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
  }

  add(kind: number, start: number, end: number): number {
    if (this.count === this.kind.length) this.grow();
    const i = this.count++;
    this.kind[i] = kind;
    this.start[i] = start;
    this.end[i] = end;
    this.next[i] = i + 1;
    return i;
  }

  /** Closes container `i`: its end offset and the entry after its subtree. */
  close(i: number, end: number): void {
    this.end[i] = end;
    this.next[i] = this.count;
  }

  private grow(): void {
    const n = this.kind.length * 2 + 16;
    const kind = new Uint8Array(n);
    kind.set(this.kind);
    const start = new Int32Array(n);
    start.set(this.start);
    const end = new Int32Array(n);
    end.set(this.end);
    const next = new Int32Array(n);
    next.set(this.next);
    this.kind = kind;
    this.start = start;
    this.end = end;
    this.next = next;
  }

  /** A node for entry `i`: a view made on demand (compare nodes by `doc` and `index`, not by identity). */
  node(i: number): JsonNode {
    return new JsonNode(this, i);
  }

  /** The entries of the elements of array entry `i` (kept, so that reading an array element by element takes linear time). */
  elements(i: number): Int32Array {
    let out = this.elementIndex.get(i);
    if (out === undefined) {
      const next = this.next;
      const end = next[i];
      let n = 0;
      for (let e = i + 1; e < end; e = next[e]) n++;
      out = new Int32Array(n);
      n = 0;
      for (let e = i + 1; e < end; e = next[e]) out[n++] = e;
      this.elementIndex.set(i, out);
    }
    return out;
  }

  /** The string value of a STRING or KEY entry. */
  string(i: number): string {
    // Most documents have no escaped string: no map lookup then.
    const v = this.values.size === 0 ? undefined : this.values.get(i);
    return typeof v === 'string' ? v : this.text.slice(this.start[i] + 1, this.end[i] - 1);
  }

  /** The value of a literal entry. */
  literal(i: number): string | number | boolean | null | undefined {
    switch (this.kind[i]) {
      case STRING: case KEY: return this.string(i);
      case NUMBER: {
        if (this.rewritten(i)) return this.values.get(i) as number;
        return smallInteger(this.text, this.start[i], this.end[i]) ?? Number(this.text.slice(this.start[i], this.end[i]));
      }
      case TRUE: return true;
      case FALSE: return false;
      case NULL: return null;
      default: return undefined;
    }
  }

  /**
   * How key entry `k` matches `name`: 2 exactly, 1 without case (ARM's match), 0 not at all.
   * Compares against the source text, so that looking a property up allocates nothing.
   */
  keyMatch(k: number, name: string): number {
    if (this.rewritten(k)) {
      const s = this.string(k);
      return s === name ? 2 : s.length === name.length && sameLower(s, name) ? 1 : 0;
    }
    const from = this.start[k] + 1;
    if (this.end[k] - 1 - from !== name.length) return 0;
    const text = this.text;
    let exact = true;
    for (let j = 0; j < name.length; j++) {
      const x = text.charCodeAt(from + j);
      const y = name.charCodeAt(j);
      if (x === y) continue;
      exact = false;
      if (x >= 128 || y >= 128) return this.string(k).toLowerCase() === name.toLowerCase() ? 1 : 0;
      const lx = x | 32;
      if (lx !== (y | 32) || lx < 97 || lx > 122) return 0;
    }
    return exact ? 2 : 1;
  }

  /** The value entry of property `name` of object entry `i` (exact name first, then ARM's case-insensitive match; the last one wins as in JSON.parse), or -1. */
  property(i: number, name: string): number {
    const next = this.next;
    const end = next[i];
    let exact = -1;
    let loose = -1;
    for (let k = i + 1; k < end; k = next[k + 1]) {
      if (this.kind[k + 1] === MISSING) continue;
      const m = this.keyMatch(k, name);
      if (m === 2) exact = k + 1;
      else if (m === 1) loose = k + 1;
    }
    return exact >= 0 ? exact : loose;
  }
}

/**
 * A JSON value with its offsets, as jsonc-parser's `parseTree` would give it: an object's
 * property names, their offsets and lengths, and their value nodes side by side (a property
 * written without a value has an undefined value node, and is skipped as parseTree's tree skips
 * it); an array's elements in `children`. A view of one entry of a `JsonDoc`.
 */
export class JsonNode {
  constructor(readonly doc: JsonDoc, readonly index: number) {}

  get type(): 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' {
    return TYPES[this.doc.kind[this.index]];
  }

  get offset(): number {
    return this.doc.start[this.index];
  }

  get length(): number {
    return this.doc.end[this.index] - this.doc.start[this.index];
  }

  get value(): string | number | boolean | null | undefined {
    return this.doc.literal(this.index);
  }

  /** Array elements, or (objects) property values, parallel to `keys`. */
  get children(): (JsonNode | undefined)[] | undefined {
    const { doc, index } = this;
    const kind = doc.kind[index];
    if (kind !== OBJECT && kind !== ARRAY) return undefined;
    const out: (JsonNode | undefined)[] = [];
    const end = doc.next[index];
    if (kind === ARRAY) {
      for (let i = index + 1; i < end; i = doc.next[i]) out.push(doc.node(i));
    } else {
      for (let k = index + 1; k < end; k = doc.next[k + 1]) out.push(doc.kind[k + 1] === MISSING ? undefined : doc.node(k + 1));
    }
    return out;
  }

  /** Objects: property names. */
  get keys(): string[] | undefined {
    return this.keyEntries((k) => this.doc.string(k));
  }

  /** Objects: offsets and lengths of the property names, parallel to `keys`. */
  get keyOffsets(): number[] | undefined {
    return this.keyEntries((k) => this.doc.start[k]);
  }

  get keyLengths(): number[] | undefined {
    return this.keyEntries((k) => this.doc.end[k] - this.doc.start[k]);
  }

  private keyEntries<T>(f: (k: number) => T): T[] | undefined {
    const { doc, index } = this;
    if (doc.kind[index] !== OBJECT) return undefined;
    const out: T[] = [];
    const end = doc.next[index];
    for (let k = index + 1; k < end; k = doc.next[k + 1]) out.push(f(k));
    return out;
  }
}

export type Node = JsonNode;

/** A parsed JSON file: its path as messages name it, its text, and its tree (undefined when nothing parses). */
export interface JsonFile {
  readonly path: string;
  readonly text: string;
  readonly root: JsonNode | undefined;
  /** Whether a comment in the text may be an `amlnet-check` mark (else no resource is marked). */
  readonly markComments?: boolean;
}

/** Deeper JSON than this is not converted for the evaluator (it would be unknown there anyway). */
const MAX_JSON_DEPTH = 400;

const MARK = /^(\/\/|\/\*)\s*amlnet-check\b/;

/** A node of the tree jsonc-parser's visitor events build, before it goes onto a tape. */
interface Building {
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
  offset: number;
  length: number;
  value?: unknown;
  children?: (Building | undefined)[];
  keys?: string[];
  keyOffsets?: number[];
  keyLengths?: number[];
}

/**
 * The tree of `text` as jsonc-parser's parseTree builds it (same nodes, offsets and error
 * recovery, from the same visitor events) without property, key and parent nodes.
 */
export function buildTree(source: string, errors: { error: number; offset: number; length: number }[]): { root: JsonNode | undefined; markComments: boolean } {
  const top: Building = { type: 'array', offset: -1, length: -1, children: [] };
  let current: Building = top;
  const stack: Building[] = [];
  // An object's property whose value has not come yet.
  let pending = false;
  let markComments = false;
  const add = (node: Building): void => {
    if (current.keys !== undefined) {
      if (!pending) return;
      current.children![current.children!.length - 1] = node;
      pending = false;
    } else {
      current.children!.push(node);
    }
  };
  visit(source, {
    onObjectBegin: (offset) => {
      const node: Building = { type: 'object', offset, length: -1, children: [], keys: [], keyOffsets: [], keyLengths: [] };
      add(node);
      stack.push(current);
      current = node;
    },
    onObjectProperty: (name, offset, length) => {
      current.keys!.push(name);
      current.keyOffsets!.push(offset);
      current.keyLengths!.push(length);
      current.children!.push(undefined);
      pending = true;
    },
    onObjectEnd: (offset, length) => {
      current.length = offset + length - current.offset;
      current = stack.pop()!;
      pending = false;
    },
    onArrayBegin: (offset) => {
      const node: Building = { type: 'array', offset, length: -1, children: [] };
      add(node);
      stack.push(current);
      current = node;
    },
    onArrayEnd: (offset, length) => {
      current.length = offset + length - current.offset;
      current = stack.pop()!;
      pending = false;
    },
    onLiteralValue: (value: unknown, offset, length) => {
      const type = typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'null';
      add({ type, offset, length, value });
    },
    onSeparator: (sep) => {
      if (sep === ',') pending = false;
    },
    onComment: (offset, length) => {
      if (!markComments && MARK.test(source.slice(offset, offset + length))) markComments = true;
    },
    onError: (error, offset, length) => {
      errors.push({ error, offset, length });
    },
  }, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const root = top.children![0];
  if (root === undefined) return { root: undefined, markComments };
  const doc = new JsonDoc(source, 64);
  onTape(doc, root);
  return { root: doc.node(0), markComments };
}

/** Appends a built tree to a tape; strings and numbers whose value is not their text keep it aside. */
function onTape(doc: JsonDoc, n: Building): void {
  const text = doc.text;
  const literal = (kind: number, offset: number, length: number, value: unknown): void => {
    const i = doc.add(kind, offset, offset + length);
    if (kind === STRING || kind === KEY) {
      if (value !== text.slice(offset + 1, offset + length - 1)) doc.values.set(i, value as string);
    } else if (kind === NUMBER && !Object.is(value, Number(text.slice(offset, offset + length)))) {
      doc.values.set(i, value as number);
    }
  };
  switch (n.type) {
    case 'object': {
      const i = doc.add(OBJECT, n.offset, -1);
      const keys = n.keys!;
      for (let j = 0; j < keys.length; j++) {
        literal(KEY, n.keyOffsets![j], n.keyLengths![j], keys[j]);
        const v = n.children![j];
        if (v === undefined) doc.add(MISSING, -1, -1);
        else onTape(doc, v);
      }
      doc.close(i, n.offset + n.length);
      return;
    }
    case 'array': {
      const i = doc.add(ARRAY, n.offset, -1);
      for (const c of n.children!) onTape(doc, c!);
      doc.close(i, n.offset + n.length);
      return;
    }
    case 'string': return literal(STRING, n.offset, n.length, n.value);
    case 'number': return literal(NUMBER, n.offset, n.length, n.value);
    case 'boolean': return literal(n.value === true ? TRUE : FALSE, n.offset, n.length, n.value);
    default: return literal(NULL, n.offset, n.length, null);
  }
}

/** The value of a number token of at most 9 digits and no sign, fraction or exponent (a priority, a port), without slicing it; else undefined. */
function smallInteger(text: string, start: number, end: number): number | undefined {
  if (end - start > 9) return undefined;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}

/** Thrown by the fast scanner when the text is not plain JSON (with comments and trailing commas): jsonc-parser reads it then. */
class NotPlain extends Error {}
const NOT_PLAIN = new NotPlain();

/**
 * A run of string characters that need no decoding: every code unit but control characters
 * (below \x20), the quote (\x22) and the backslash (\x5c). `lastIndex` is set before each use.
 */
const PLAIN_RUN = /[\x20\x21\x23-\x5b\x5d-\uffff]*/y;

/**
 * Whether `skip` could move past character code `c` (a space, line break, tab or comment; or
 * anything below a space, which it leaves for the caller to refuse): most tokens are followed
 * directly by the next one, and the call is left out then.
 */
function mayBeSpace(c: number): boolean {
  return c <= 32 || c === 47;
}

/** Reads plain JSON with comments and trailing commas onto a tape in one pass; anything else throws NOT_PLAIN. */
class Scanner {
  pos = 0;
  markComments = false;
  private readonly len: number;

  constructor(private readonly source: string, private readonly doc: JsonDoc) {
    this.len = source.length;
  }

  /** Skips space, tab, line breaks and comments. */
  skip(): void {
    const source = this.source;
    const len = this.len;
    let pos = this.pos;
    while (pos < len) {
      const c = source.charCodeAt(pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        pos++;
      } else if (c === 47) {
        const d = source.charCodeAt(pos + 1);
        const start = pos;
        if (d === 47) {
          pos += 2;
          while (pos < len) {
            const e = source.charCodeAt(pos);
            if (e === 10 || e === 13) break;
            pos++;
          }
        } else if (d === 42) {
          const end = source.indexOf('*/', pos + 2);
          if (end < 0) throw NOT_PLAIN;
          pos = end + 2;
        } else {
          throw NOT_PLAIN;
        }
        if (!this.markComments && MARK.test(source.slice(start, pos))) this.markComments = true;
      } else {
        break;
      }
    }
    this.pos = pos;
  }

  /** The string token at `pos` (a quote) as an entry of `kind`; `pos` moves past it. */
  string(kind: number): void {
    const start = this.pos;
    // The usual string: neither escapes nor control characters, closed before the end of the
    // text. The sticky pattern stops at the first quote, backslash or control character (or the
    // end), scanning in the regexp engine's native code (about twice as fast as a loop here).
    PLAIN_RUN.lastIndex = start + 1;
    PLAIN_RUN.test(this.source);
    const i = PLAIN_RUN.lastIndex;
    if (this.source.charCodeAt(i) !== 34) return this.escapedString(kind, start);
    this.pos = i + 1;
    this.doc.add(kind, start, i + 1);
  }

  /** A string token with escapes (or not plain JSON), read from its opening quote at `start`. */
  private escapedString(kind: number, start: number): void {
    const source = this.source;
    const len = this.len;
    let escaped = false;
    let i = start + 1;
    for (;;) {
      if (i >= len) throw NOT_PLAIN;
      const c = source.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 32) throw NOT_PLAIN;
      i++;
    }
    this.pos = i + 1;
    const entry = this.doc.add(kind, start, i + 1);
    if (!escaped) return;
    const raw = source.slice(start, i + 1);
    // JSON's escapes are jsonc-parser's; an escape JSON rejects is an error there too.
    if (/\\u(?![0-9a-fA-F]{4})/.test(raw)) throw NOT_PLAIN;
    try {
      this.doc.values.set(entry, JSON.parse(raw) as string);
    } catch {
      throw NOT_PLAIN;
    }
  }

  private delimited(): boolean {
    if (this.pos >= this.len) return true;
    const c = this.source.charCodeAt(this.pos);
    return c === 44 || c === 93 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9 || c === 47;
  }

  /** Skips decimal digits; how many. */
  private digits(): number {
    const source = this.source;
    let pos = this.pos;
    while (pos < this.len) {
      const c = source.charCodeAt(pos);
      if (c < 48 || c > 57) break;
      pos++;
    }
    const n = pos - this.pos;
    this.pos = pos;
    return n;
  }

  /** The longest JSON number here, -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, then a delimiter. */
  private number(): void {
    const source = this.source;
    const start = this.pos;
    if (source.charCodeAt(this.pos) === 45) this.pos++;
    const first = source.charCodeAt(this.pos);
    if (first === 48) this.pos++;
    else if (first >= 49 && first <= 57) this.digits();
    else throw NOT_PLAIN;
    if (source.charCodeAt(this.pos) === 46) {
      const dot = this.pos;
      this.pos++;
      if (this.digits() === 0) this.pos = dot;
    }
    const e = source.charCodeAt(this.pos);
    if (e === 101 || e === 69) {
      const at = this.pos;
      this.pos++;
      const sign = source.charCodeAt(this.pos);
      if (sign === 43 || sign === 45) this.pos++;
      if (this.digits() === 0) this.pos = at;
    }
    if (!this.delimited()) throw NOT_PLAIN;
    this.doc.add(NUMBER, start, this.pos);
  }

  private word(word: string, kind: number): void {
    const start = this.pos;
    if (!this.source.startsWith(word, start)) throw NOT_PLAIN;
    this.pos += word.length;
    if (!this.delimited()) throw NOT_PLAIN;
    this.doc.add(kind, start, this.pos);
  }

  value(depth: number): void {
    if (depth > 400) throw NOT_PLAIN;
    const source = this.source;
    const doc = this.doc;
    const c = source.charCodeAt(this.pos);
    const start = this.pos;
    if (c === 34) {
      this.string(STRING);
    } else if (c === 123) {
      const entry = doc.add(OBJECT, start, -1);
      this.pos++;
      this.skip();
      while (source.charCodeAt(this.pos) !== 125) {
        if (source.charCodeAt(this.pos) !== 34) throw NOT_PLAIN;
        this.string(KEY);
        if (mayBeSpace(source.charCodeAt(this.pos))) this.skip();
        if (source.charCodeAt(this.pos) !== 58) throw NOT_PLAIN;
        // `"name": value`: one space after the colon, taken here without a call.
        if (source.charCodeAt(++this.pos) === 32 && !mayBeSpace(source.charCodeAt(this.pos + 1))) this.pos++;
        else this.skip();
        if (this.pos >= this.len) throw NOT_PLAIN;
        this.value(depth + 1);
        if (mayBeSpace(source.charCodeAt(this.pos))) this.skip();
        const d = source.charCodeAt(this.pos);
        if (d === 44) {
          this.pos++;
          this.skip();
        } else if (d !== 125) {
          throw NOT_PLAIN;
        }
      }
      this.pos++;
      doc.close(entry, this.pos);
    } else if (c === 91) {
      const entry = doc.add(ARRAY, start, -1);
      this.pos++;
      this.skip();
      while (source.charCodeAt(this.pos) !== 93) {
        if (this.pos >= this.len) throw NOT_PLAIN;
        this.value(depth + 1);
        if (mayBeSpace(source.charCodeAt(this.pos))) this.skip();
        const d = source.charCodeAt(this.pos);
        if (d === 44) {
          this.pos++;
          this.skip();
        } else if (d !== 93) {
          throw NOT_PLAIN;
        }
      }
      this.pos++;
      doc.close(entry, this.pos);
    } else if (c === 116) {
      this.word('true', TRUE);
    } else if (c === 102) {
      this.word('false', FALSE);
    } else if (c === 110) {
      this.word('null', NULL);
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      this.number();
    } else {
      throw NOT_PLAIN;
    }
  }
}

/**
 * The tree `buildTree` gives, for text that is plain JSON with `//` and block comments, trailing
 * commas, and only space, tab and line breaks between tokens; undefined for anything else
 * (a syntax error, other whitespace, deep nesting), which `buildTree` then reads with jsonc-parser
 * and its error recovery. Many times faster than jsonc-parser's visitor on ARM templates.
 */
export function fastTree(source: string): { root: JsonNode; markComments: boolean } | undefined {
  // Pretty-printed templates hold about one value or name per 20 characters.
  const doc = new JsonDoc(source, (source.length >> 4) + 16);
  const scanner = new Scanner(source, doc);
  try {
    scanner.skip();
    if (scanner.pos >= source.length) return undefined;
    scanner.value(0);
    scanner.skip();
    if (scanner.pos < source.length) return undefined;
    return { root: doc.node(0), markComments: scanner.markComments };
  } catch (e) {
    if (e instanceof NotPlain || e instanceof RangeError) return undefined;
    throw e;
  }
}

/**
 * Parses JSON with comments and trailing commas. Syntax errors become problems with their offset;
 * the tree still holds what parses. A leading byte-order mark is read as a space, so offsets stay.
 */
export function parseJsonFile(path: string, text: string, problems: ReadProblem[], severity: ReadProblem['severity'] = 'error'): JsonFile {
  const source = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const errors: { error: number; offset: number; length: number }[] = [];
  let root: JsonNode | undefined;
  let markComments: boolean;
  try {
    const fast = fastTree(source);
    ({ root, markComments } = fast ?? buildTree(source, errors));
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
      // Within the text: an unterminated comment is reported one past its end.
      span: { file: path, start: Math.min(err.offset, text.length), end: Math.min(err.offset + err.length, text.length) },
    });
  }
  // markOffsets scans the text as given: with a byte-order mark, let it decide.
  return { path, text, root, markComments: markComments || source !== text };
}

function describeParseError(code: string): string {
  // "CommaExpected" -> "comma expected"
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export function spanOf(file: string, node: { readonly offset: number; readonly length: number }): SourceSpan {
  return { file, start: node.offset, end: node.offset + node.length };
}

/**
 * `a.toLowerCase() === b.toLowerCase()` for strings of the same length, without allocating when
 * both are ASCII.
 */
function sameLower(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 128 || y >= 128) return a.toLowerCase() === b.toLowerCase();
    const lx = x | 32;
    if (lx !== (y | 32) || lx < 97 || lx > 122) return false;
  }
  return true;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) return false;
  return true;
}

/** The value node of property `key` of an object node (exact name first, then ARM's case-insensitive match; the last one wins as in JSON.parse). */
export function child(node: JsonNode | undefined, key: string): JsonNode | undefined;
export function child(node: TreeNode | undefined, key: string): TreeNode | undefined;
export function child(node: JsonNode | TreeNode | undefined, key: string): JsonNode | TreeNode | undefined {
  if (node instanceof JsonNode) {
    const doc = node.doc;
    if (doc.kind[node.index] !== OBJECT) return undefined;
    const i = doc.property(node.index, key);
    return i < 0 ? undefined : doc.node(i);
  }
  return propertyNode(node, key)?.children?.[1];
}

/** The property node (key and value) of `key` in an object node of a jsonc-parser tree. */
export function propertyNode(node: TreeNode | undefined, key: string): TreeNode | undefined {
  if (node?.type !== 'object' || !node.children) return undefined;
  let exact: TreeNode | undefined;
  let loose: TreeNode | undefined;
  let lower: string | undefined;
  for (const p of node.children) {
    const k = p.children?.[0]?.value;
    if (typeof k !== 'string' || k.length !== key.length || !p.children?.[1]) continue;
    if (k === key) exact = p;
    else if (k.toLowerCase() === (lower ??= key.toLowerCase())) loose = p;
  }
  return exact ?? loose;
}

/** The key of property `key`, as a string node. */
export function keyNode(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (node === undefined || node.doc.kind[node.index] !== OBJECT) return undefined;
  const i = node.doc.property(node.index, key);
  return i < 0 ? undefined : node.doc.node(i - 1);
}

/** The properties of an object node as [key, value node] pairs. */
export function entries(node: JsonNode | undefined): [string, JsonNode][] {
  if (node === undefined) return [];
  const { doc, index } = node;
  if (doc.kind[index] !== OBJECT) return [];
  const out: [string, JsonNode][] = [];
  const end = doc.next[index];
  for (let k = index + 1; k < end; k = doc.next[k + 1]) {
    if (doc.kind[k + 1] !== MISSING) out.push([doc.string(k), doc.node(k + 1)]);
  }
  return out;
}

/** The properties of an object node as [key, value node, key offset]. */
export function properties(node: JsonNode | undefined): { key: string; node: JsonNode; keyOffset: number }[] {
  if (node === undefined) return [];
  const { doc, index } = node;
  if (doc.kind[index] !== OBJECT) return [];
  const out: { key: string; node: JsonNode; keyOffset: number }[] = [];
  const end = doc.next[index];
  for (let k = index + 1; k < end; k = doc.next[k + 1]) {
    if (doc.kind[k + 1] !== MISSING) out.push({ key: doc.string(k), node: doc.node(k + 1), keyOffset: doc.start[k] });
  }
  return out;
}

/** The offset of an object node's first property name, if it has one. */
export function firstKeyOffset(node: JsonNode): number | undefined {
  const { doc, index } = node;
  return doc.kind[index] === OBJECT && doc.next[index] > index + 1 ? doc.start[index + 1] : undefined;
}

/** The elements of an array node. */
export function elements(node: JsonNode | undefined): JsonNode[] {
  if (node === undefined) return [];
  const { doc, index } = node;
  if (doc.kind[index] !== ARRAY) return [];
  const out: JsonNode[] = [];
  const end = doc.next[index];
  for (let i = index + 1; i < end; i = doc.next[i]) out.push(doc.node(i));
  return out;
}

/** The number of elements of an array node. */
function elementCount(doc: JsonDoc, index: number): number {
  let n = 0;
  const end = doc.next[index];
  for (let i = index + 1; i < end; i = doc.next[i]) n++;
  return n;
}

/** The entry of element `n` of array entry `index`, or -1. */
function elementEntry(doc: JsonDoc, index: number, n: number): number {
  const entries = doc.elements(index);
  return n >= 0 && n < entries.length ? entries[n] : -1;
}

/** The element `n` of an array node, if it has one. */
function elementAt(node: JsonNode, n: number): JsonNode | undefined {
  const i = elementEntry(node.doc, node.index, n);
  return i < 0 ? undefined : node.doc.node(i);
}

/** A string literal's value. */
export function stringOf(node: JsonNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  const kind = node.doc.kind[node.index];
  return kind === STRING || kind === KEY ? node.doc.string(node.index) : undefined;
}

/** The node as plain JSON for the evaluator; `__proto__` is an ordinary key, too-deep values are left out. */
export function toJson(node: JsonNode | undefined): unknown {
  return node === undefined ? undefined : jsonOf(node.doc, node.index, 0);
}

function jsonOf(doc: JsonDoc, index: number, depth: number): unknown {
  const kind = doc.kind[index];
  if (kind === ARRAY) {
    if (depth > MAX_JSON_DEPTH) return undefined;
    const out = new Array<unknown>(elementCount(doc, index));
    const end = doc.next[index];
    let n = 0;
    for (let i = index + 1; i < end; i = doc.next[i]) out[n++] = jsonOf(doc, i, depth + 1);
    return out;
  }
  if (kind === OBJECT) {
    if (depth > MAX_JSON_DEPTH) return undefined;
    const out: Record<string, unknown> = {};
    const end = doc.next[index];
    for (let k = index + 1; k < end; k = doc.next[k + 1]) {
      if (doc.kind[k + 1] === MISSING) continue;
      const key = doc.string(k);
      const value = jsonOf(doc, k + 1, depth + 1);
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
    return out;
  }
  return doc.literal(index);
}

/** Whether an object entry has a property named `copy` in any case (with a value). */
function hasCopyKey(doc: JsonDoc, index: number): boolean {
  const end = doc.next[index];
  for (let k = index + 1; k < end; k = doc.next[k + 1]) {
    if (doc.kind[k + 1] !== MISSING && doc.keyMatch(k, 'copy') !== 0) return true;
  }
  return false;
}

/**
 * Evaluates a JSON node as `scope.evaluateValue(toJson(node))` does, without converting literal
 * parts first: only expression strings, and objects with a `copy` key (property copies), go to
 * the evaluator.
 */
export function evaluateNode(scope: ArmScope, node: JsonNode): Value {
  return evaluateEntry(scope, node.doc, node.index, 0);
}

function evaluateEntry(scope: ArmScope, doc: JsonDoc, index: number, depth: number): Value {
  switch (doc.kind[index]) {
    case STRING: {
      const s = doc.string(index);
      if (s.charCodeAt(0) !== 91 /* [ */) return s;
      // Written as is (no escapes): parsed from the document's text, which reads faster than a slice.
      return doc.rewritten(index) ? scope.evaluate(s) : scope.evaluateIn(s, doc.text, doc.start[index] + 1);
    }
    case NUMBER: {
      const n = doc.literal(index) as number;
      return Number.isFinite(n) ? n : scope.evaluateValue(n);
    }
    case TRUE: return true;
    case FALSE: return false;
    case NULL: return null;
    case ARRAY: {
      if (depth > 64) return scope.evaluateValue(jsonOf(doc, index, 0));
      const out = new Array<Value>(elementCount(doc, index));
      const end = doc.next[index];
      let n = 0;
      for (let i = index + 1; i < end; i = doc.next[i]) out[n++] = evaluateEntry(scope, doc, i, depth + 1);
      return out;
    }
    case OBJECT: {
      if (depth > 64 || hasCopyKey(doc, index)) return scope.evaluateValue(jsonOf(doc, index, 0));
      const out: Record<string, Value> = {};
      const end = doc.next[index];
      for (let k = index + 1; k < end; k = doc.next[k + 1]) {
        if (doc.kind[k + 1] !== MISSING) setKey(out, doc.string(k), evaluateEntry(scope, doc, k + 1, depth + 1));
      }
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

/**
 * A located value evaluated on first use: tape entry `entry` evaluated in `scope` as
 * `evaluateNode` would at nesting `depth`. `at` and `item` step into an object or array written
 * out in the template without evaluating it whole, so the model evaluates only what it reads.
 * (Evaluating one expression twice in a scope gives the same value: see ArmScope.evaluate.)
 */
class Deferred implements Located, WrittenObject {
  private done = false;
  private result: Value | undefined;
  private stepKind: number | undefined;

  constructor(
    readonly scope: ArmScope, readonly doc: JsonDoc, readonly entry: number, readonly depth: number,
    readonly node: Node | undefined, readonly each: Node | undefined,
  ) {}

  get value(): Value | undefined {
    if (!this.done) {
      this.result = evaluateEntry(this.scope, this.doc, this.entry, this.depth);
      this.done = true;
    }
    return this.result;
  }

  findExact(names: PropertyNames, out: Int32Array): boolean {
    const doc = this.doc;
    const n = names.names.length;
    for (let j = 0; j < n; j++) out[j] = -1;
    const end = doc.next[this.entry];
    for (let k = this.entry + 1; k < end; k = doc.next[k + 1]) {
      if (doc.kind[k + 1] === MISSING) continue;
      const candidates = names.ofLength(doc, k);
      if (candidates === undefined) continue;
      for (const j of candidates) {
        const m = doc.keyMatch(k, names.names[j]);
        // The last property of an exact name gives the value, as in `evaluatedProperty`.
        if (m === 2) out[j] = k + 1;
        else if (m === 1) return false;
      }
    }
    return true;
  }

  isScalar(e: number): boolean {
    const kind = this.doc.kind[e];
    return kind !== OBJECT && kind !== ARRAY && kind !== MISSING;
  }

  valueAt(e: number): Value {
    return evaluateEntry(this.scope, this.doc, e, this.depth + 1);
  }

  startAt(e: number): number {
    return this.doc.start[e];
  }

  endAt(e: number): number {
    return this.doc.end[e];
  }

  /** The entry's kind when stepping into it can wait: an object without a property copy, or an array, not yet evaluated. */
  steppable(): number {
    if (this.done) return -1;
    let kind = this.stepKind;
    if (kind === undefined) {
      kind = this.doc.kind[this.entry];
      if (this.depth > 64 || (kind !== ARRAY && (kind !== OBJECT || hasCopyKey(this.doc, this.entry)))) kind = -1;
      this.stepKind = kind;
    }
    return kind;
  }
}

/**
 * An object written out in the template where it is evaluated, without a property copy (a rule's
 * `properties`): its properties read straight from the tape, each as `at` would give it when it
 * is a literal or an expression, without a located value per property.
 */
export interface WrittenObject {
  /**
   * The entry of each name's value into `out` (-1 when the object does not have it), as `at`
   * finds it; false when a name is written only in another case (then use `at` or `atAll`).
   */
  findExact(names: PropertyNames, out: Int32Array): boolean;
  /** Whether entry `e` is a literal or an expression string (not an object or array). */
  isScalar(e: number): boolean;
  /** The value of scalar entry `e`, as `at(...).value` gives it. */
  valueAt(e: number): Value;
  /** Where entry `e` is written (its start and end offsets), as `writtenSpan(file, at(...))` gives it. */
  startAt(e: number): number;
  endAt(e: number): number;
}

/** `loc` as a written object (see WrittenObject), or undefined. */
export function writtenObject(loc: Located): WrittenObject | undefined {
  if (!(loc instanceof Deferred) || loc.steppable() !== OBJECT) return undefined;
  const node = loc.node;
  return node !== undefined && node.doc === loc.doc && node.index === loc.entry ? loc : undefined;
}

/** A node's value in a scope, located at the node, evaluated when first read. */
export function located(scope: ArmScope, node: JsonNode | undefined): Located {
  return node === undefined ? { value: undefined } : new Deferred(scope, node.doc, node.index, 0, node, undefined);
}

/**
 * The entry of property `name` in object entry `i` as the evaluated object's own lookup would
 * find it (`lookupKey`: an exact name, else the first name in order that matches without case;
 * the last entry of that name gives the value), or -1.
 */
function evaluatedProperty(doc: JsonDoc, i: number, name: string): number {
  const end = doc.next[i];
  let exact = -1;
  let loose = -1;
  for (let k = i + 1; k < end; k = doc.next[k + 1]) {
    if (doc.kind[k + 1] === MISSING) continue;
    const m = doc.keyMatch(k, name);
    if (m === 2) exact = k + 1;
    else if (m === 1 && loose < 0) loose = k + 1;
  }
  if (exact >= 0 || loose < 0) return exact;
  // Later properties of exactly the first loose name overwrite its value.
  const key = doc.string(loose - 1);
  for (let k = doc.next[loose]; k < end; k = doc.next[k + 1]) {
    if (doc.kind[k + 1] !== MISSING && doc.keyMatch(k, key) === 2) loose = k + 1;
  }
  return loose;
}

/**
 * Entry `entry` inside a deferred object or array: deferred in turn when it is an object or an
 * array; a literal or an expression is evaluated now (it is about to be read, and a plain
 * located value is smaller).
 */
function step(parent: Deferred, entry: number, node: Node | undefined, each: Node | undefined): Located {
  const doc = parent.doc;
  const kind = doc.kind[entry];
  if (kind === OBJECT || kind === ARRAY) return new Deferred(parent.scope, doc, entry, parent.depth + 1, node, each);
  const value = evaluateEntry(parent.scope, doc, entry, parent.depth + 1);
  return each ? { value, each } : { value, node };
}

/**
 * A literal or an expression written where it is read (a property of an object written out in
 * the template), evaluated: its node is made only when asked for (`writtenSpan` needs none).
 */
class Written implements Located {
  constructor(readonly value: Value | undefined, readonly doc: JsonDoc, readonly entry: number) {}

  get node(): Node {
    return this.doc.node(this.entry);
  }
}

/** `step` into an entry that is also where the value is written. */
function stepWritten(parent: Deferred, entry: number): Located {
  const doc = parent.doc;
  const kind = doc.kind[entry];
  if (kind === OBJECT || kind === ARRAY) return new Deferred(parent.scope, doc, entry, parent.depth + 1, doc.node(entry), undefined);
  return new Written(evaluateEntry(parent.scope, doc, entry, parent.depth + 1), doc, entry);
}

/** A property neither written nor evaluated. */
const NOTHING: Located = Object.freeze({ value: undefined });

/** Property `name` of a located object (ARM matches names without case). */
export function at(loc: Located, name: string): Located {
  let value: Value | undefined;
  let deferred = -1;
  if (loc instanceof Deferred && loc.steppable() === OBJECT) {
    deferred = evaluatedProperty(loc.doc, loc.entry, name);
    const node = loc.node;
    if (node !== undefined && node.doc === loc.doc && node.index === loc.entry) {
      // The object is written where it is evaluated from, without a property copy: an exact
      // name is both where the property is written and its value; no name, neither.
      if (deferred < 0) return NOTHING;
      if (loc.doc.keyMatch(deferred - 1, name) === 2) return stepWritten(loc, deferred);
    }
  } else {
    const v = loc.value;
    if (v !== undefined && isPlainObject(v)) {
      const key = lookupKey(v, name);
      value = key === undefined ? undefined : v[key];
    } else if (v instanceof UnknownValue) {
      value = v;
    } else if (v instanceof SymbolicValue) {
      const p = getProperty(v, name);
      value = p instanceof AccessError ? new UnknownValue(p.message) : p;
    }
  }
  // Where the property is written.
  let node = loc.node;
  let each: Node | undefined;
  if (node !== undefined && node.doc.kind[node.index] === OBJECT) {
    node = child(node, name);
    if (node === undefined) {
      const copy = copyEntry(loc.node!, name);
      if (copy) each = child(copy, 'input') ?? copy;
    }
  } else if (loc.each) {
    node = undefined;
  }
  if (deferred >= 0) {
    return step(loc as Deferred, deferred, node, each);
  }
  return each ? { value, each } : { value, node };
}

/** Property names looked up together (`atAll`), indexed by length so that one scan of an object finds them all. */
export class PropertyNames {
  /** For each name length, the indexes of the names of that length. */
  private readonly byLength: number[][] = [];

  constructor(readonly names: readonly string[]) {
    names.forEach((n, i) => (this.byLength[n.length] ??= []).push(i));
  }

  /** The indexes of the names as long as key entry `k` of `doc` (its value: a key with escapes is shorter than written). */
  ofLength(doc: JsonDoc, k: number): readonly number[] | undefined {
    return this.byLength[doc.rewritten(k) ? doc.string(k).length : doc.end[k] - doc.start[k] - 2];
  }
}

/**
 * `names.names.map((n) => at(loc, n))`, with one scan of the object's names when it is written
 * where it is evaluated (a rule's properties) and every name is written exactly or not at all;
 * otherwise (a name written only in another case, too) each goes through `at`.
 */
export function atAll(loc: Located, names: PropertyNames): Located[] {
  const n = names.names.length;
  const out = new Array<Located>(n);
  const entries = new Int32Array(n);
  const written = writtenObject(loc);
  if (written === undefined || !written.findExact(names, entries)) {
    // Not written out, or a name written only in another case: each as `at` finds it.
    for (let j = 0; j < n; j++) out[j] = at(loc, names.names[j]);
    return out;
  }
  for (let j = 0; j < n; j++) out[j] = entries[j] >= 0 ? stepWritten(loc as Deferred, entries[j]) : NOTHING;
  return out;
}

/**
 * `names.names.map((n) => child(node, n))` from one scan of the object's names: each name's value
 * node as `child` finds it (the last property of the exact name, else the last in another case).
 */
export function children(node: JsonNode, names: PropertyNames): (JsonNode | undefined)[] {
  const n = names.names.length;
  if (n > 31) return names.names.map((name) => child(node, name));
  const out = new Array<JsonNode | undefined>(n).fill(undefined);
  const { doc, index } = node;
  if (doc.kind[index] !== OBJECT) return out;
  // Each name's entry so far; a bit per name once it is an exact match (no other case replaces that).
  const found = new Array<number>(n).fill(-1);
  let exact = 0;
  const end = doc.next[index];
  for (let k = index + 1; k < end; k = doc.next[k + 1]) {
    if (doc.kind[k + 1] === MISSING) continue;
    const candidates = names.ofLength(doc, k);
    if (candidates === undefined) continue;
    for (const j of candidates) {
      const m = doc.keyMatch(k, names.names[j]);
      if (m === 2) {
        found[j] = k + 1;
        exact |= 1 << j;
      } else if (m === 1 && (exact & (1 << j)) === 0) {
        found[j] = k + 1;
      }
    }
  }
  for (let j = 0; j < n; j++) if (found[j] >= 0) out[j] = doc.node(found[j]);
  return out;
}

/** `findKey` (an exact match, else the first without case), without lowercasing every key. */
function lookupKey(obj: { readonly [key: string]: Value }, name: string): string | undefined {
  if (hasOwn(obj, name)) return name;
  if (!isAscii(name)) return findKey(obj, name);
  // An ASCII name's lowercase equals only that of a key of the same length. (`for...in` lists an
  // evaluated object's own keys, in Object.keys order, without making a list of them.)
  for (const k in obj) if (k.length === name.length && hasOwn(obj, k) && sameLower(k, name)) return k;
  return undefined;
}

/** Element i of a located array. */
export function item(loc: Located, i: number): Located {
  let node: Node | undefined;
  if (loc.each) node = loc.each;
  else if (loc.node !== undefined && loc.node.doc.kind[loc.node.index] === ARRAY) node = elementAt(loc.node, i);
  else node = loc.node;
  if (loc instanceof Deferred && loc.steppable() === ARRAY) {
    const e = elementEntry(loc.doc, loc.entry, i);
    return e < 0 ? { value: undefined, node } : step(loc, e, node, undefined);
  }
  const v = loc.value;
  const value = Array.isArray(v) ? (v as readonly Value[])[i] : undefined;
  return { value, node };
}

/** The number of elements of a located array, or undefined when it is not an array. */
export function lengthOf(loc: Located): number | undefined {
  if (loc instanceof Deferred) {
    const kind = loc.steppable();
    if (kind === ARRAY) return loc.doc.elements(loc.entry).length;
    if (kind === OBJECT) return undefined;
  }
  const v = loc.value;
  return Array.isArray(v) ? (v as readonly Value[]).length : undefined;
}

/** Whether a located value is a plain object (an object written out in the template is one, without evaluating it). */
export function isObjectValue(loc: Located): boolean {
  if (loc instanceof Deferred && loc.steppable() === OBJECT) return true;
  const v = loc.value;
  return v !== undefined && isPlainObject(v);
}

/** Whether a located value is neither undefined nor null (an object or array written out in the template is neither). */
export function isGiven(loc: Located): boolean {
  if (loc instanceof Deferred && loc.steppable() >= 0) return true;
  return loc.value !== undefined && loc.value !== null;
}

/** The `copy` entry named `name` in an object node's `copy` array (a property copy). */
export function copyEntry(node: Node, name: string): Node | undefined {
  const copies = child(node, 'copy');
  if (copies === undefined || copies.doc.kind[copies.index] !== ARRAY) return undefined;
  const lower = name.toLowerCase();
  for (const e of elements(copies)) {
    if (stringOf(child(e, 'name'))?.toLowerCase() === lower && child(e, 'input')) return e;
  }
  return undefined;
}

/** Where a located value is written (its node, else the input of its property copy), if anywhere. */
export function writtenSpan(file: string, loc: Located): SourceSpan | undefined {
  if (loc instanceof Written) return { file, start: loc.doc.start[loc.entry], end: loc.doc.end[loc.entry] };
  const node = loc.node ?? loc.each;
  return node ? spanOf(file, node) : undefined;
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
