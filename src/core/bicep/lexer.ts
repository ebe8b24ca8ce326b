/**
 * The Bicep scanner: produces one token at a time on demand (the parser pulls), so a re-parse
 * can start lexing at any statement boundary and stop as soon as it rejoins the old tree.
 *
 * Whitespace and comments are trivia: comments are recorded in `comments` as offsets only (no
 * substrings); newlines are tokens because Bicep separates declarations and members with them.
 * A run of newlines with only trivia between them is one `NewLine` token, and after it the
 * scanner stands on the next token's first character, so the parser can peek at that character.
 */

import type { Comment, ParseDiagnostic } from './syntax';

/** Token kinds. */
export const enum T {
  EOF,
  NewLine,
  Identifier,
  Integer,
  /** `'abc'` or `'''abc'''`: a whole string with no interpolation. */
  StringComplete,
  /** `'abc${`: up to the first interpolation hole. */
  StringLeft,
  /** `}abc${`: between two holes. */
  StringMiddle,
  /** `}abc'`: after the last hole. */
  StringRight,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LSquare,
  RSquare,
  Comma,
  Dot,
  Question,
  Colon,
  Semicolon,
  Assign,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Bang,
  Lt,
  Gt,
  Le,
  Ge,
  EqEq,
  NotEq,
  EqTilde,
  NotTilde,
  AndAnd,
  OrOr,
  QuestionQuestion,
  ColonColon,
  Arrow,
  Pipe,
  Ellipsis,
  Hat,
  At,
  True,
  False,
  Null,
  Unrecognized,
}

/** Contextual keywords: identifiers the parser treats specially in some positions. */
export const enum K {
  None,
  TargetScope,
  Metadata,
  Param,
  Var,
  Resource,
  Module,
  Output,
  Type,
  Func,
  Import,
  Extension,
  Using,
  Extends,
  Test,
  Assert,
  ExtensionConfig,
  Existing,
  With,
  As,
  From,
  If,
  For,
  In,
  NoneKeyword,
}

/** Whether a keyword begins a top-level declaration. */
export function isDeclarationKeyword(k: K): boolean {
  return k >= K.TargetScope && k <= K.ExtensionConfig;
}

const enum C {
  Tab = 9,
  LF = 10,
  CR = 13,
  Space = 32,
  Bang = 33,
  DoubleQuote = 34,
  Hash = 35,
  Dollar = 36,
  Percent = 37,
  Amp = 38,
  Quote = 39,
  LParen = 40,
  RParen = 41,
  Star = 42,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  Semicolon = 59,
  Lt = 60,
  Eq = 61,
  Gt = 62,
  Question = 63,
  At = 64,
  LSquare = 91,
  Backslash = 92,
  RSquare = 93,
  Hat = 94,
  LBrace = 123,
  Pipe = 124,
  RBrace = 125,
  Tilde = 126,
}

// 1: identifier start, 2: identifier part. Bicep identifiers are ASCII only.
const identTable = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) identTable[c] = 3;
  else if (/[0-9]/.test(ch)) identTable[c] = 2;
}

// Characters a single-line string piece stops at: a quote, a line break, `$` (maybe a hole), a backslash.
const STRING_SPECIAL = new Uint8Array(128);
for (const c of [C.Quote, C.LF, C.CR, C.Dollar, C.Backslash]) STRING_SPECIAL[c] = 1;

/** U+FEFF, the byte order mark, skipped at the start of a text. */
export const BOM = 0xfeff;

/** Whether only spaces and tabs (or a leading byte order mark) precede `offset` on its line. */
export function atLineStart(text: string, offset: number): boolean {
  for (let q = offset - 1; q >= 0; q--) {
    const c = text.charCodeAt(q);
    if (c === C.LF || c === C.CR) return true;
    if (c !== C.Space && c !== C.Tab && !(q === 0 && c === BOM)) return false;
  }
  return true;
}

/** Whether `c` (a UTF-16 code unit) can continue an identifier. */
export function isIdentifierPart(c: number): boolean {
  return c < 128 && (identTable[c] & 2) !== 0;
}

/** Whether `c` can start an identifier. */
export function isIdentifierStart(c: number): boolean {
  return c < 128 && identTable[c] === 3;
}

// Interning: FNV-1a over UTF-16 code units, for strings up to MAX_INTERNED long.
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;
const MAX_INTERNED = 32;
/** Largest intern table made up front (entries); a larger file grows it. */
const MAX_INITIAL_INTERN = 16384;

// Marks on the interpolation stack: a `{` opened inside a hole, or a string whose hole is open
// (0 for a single-line string, n > 0 for a multi-line string opened with n `$`).
const BRACE_IN_HOLE = -1;

/** A snapshot of the scanner, for lookahead. */
export interface ScannerState {
  pos: number;
  token: T;
  start: number;
  end: number;
  keyword: K;
  value: string;
  identifierHash: number;
  stack: number[] | null;
  comments: number;
  diagnostics: number;
}

const DIRECTIVES = ['disable-next-line', 'disable-diagnostics', 'restore-diagnostics'];

/** Pulls Bicep tokens from text; see the module comment. */
export class Scanner {
  /** Kind of the current token. */
  token: T = T.EOF;
  /** Offsets of the current token. */
  start = 0;
  end = 0;
  /** For identifiers, which contextual keyword it is (K.None if none). */
  keyword: K = K.None;
  /** For string tokens, the decoded text of this piece (without quotes, `${`, `}`). */
  value = '';
  /** Offset where scanning continues (after the current token and, for newlines, trivia). */
  pos: number;
  /** Number of tokens scanned, including rescans during lookahead (to bound the parser's work). */
  scans = 0;

  private readonly len: number;
  private stack: number[] = [];
  // Interned short strings (names and values repeat a lot: `name`, `properties`, 'Inbound'):
  // one string per distinct value keeps the tree small and spares the GC from copying duplicates.
  private internKeys: (string | undefined)[];
  private internHashes: Int32Array;
  private internCount = 0;
  /** FNV-1a hash of the current identifier, computed while scanning it (0 when too long to intern). */
  private identifierHash = 0;

  constructor(
    readonly text: string,
    start: number,
    readonly comments: Comment[],
    readonly diagnostics: ParseDiagnostic[],
  ) {
    // A byte order mark is not part of the text (Bicep drops it when it reads a file).
    this.pos = start === 0 && text.charCodeAt(0) === BOM ? 1 : start;
    this.len = text.length;
    // For a whole text, a table about the size it will need (a large file interns thousands of
    // names, and each growth is a copy); a re-parse reads a few statements.
    let size = 1024;
    if (start === 0) while (size < MAX_INITIAL_INTERN && size * 64 < text.length) size *= 2;
    this.internKeys = new Array<string | undefined>(size);
    this.internHashes = new Int32Array(size);
  }

  /** The text of `[start, end)`, interned when short. */
  slice(start: number, end: number): string {
    const n = end - start;
    if (n > MAX_INTERNED || n <= 0) return this.text.slice(start, end);
    const text = this.text;
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
    return this.intern(start, end, h);
  }

  /** Interns `[start, end)` (at most MAX_INTERNED long) whose FNV-1a hash is `h`. */
  private intern(start: number, end: number, h: number): string {
    let keys = this.internKeys;
    let mask = keys.length - 1;
    let i = h & mask;
    for (;;) {
      const candidate = keys[i];
      if (candidate === undefined) break;
      if (this.internHashes[i] === h && candidate.length === end - start && this.sameText(candidate, start)) return candidate;
      i = (i + 1) & mask;
    }
    const value = this.text.slice(start, end);
    if (++this.internCount * 2 > keys.length) {
      const oldKeys = keys;
      const oldHashes = this.internHashes;
      keys = this.internKeys = new Array<string | undefined>(oldKeys.length * 2);
      const hashes = this.internHashes = new Int32Array(keys.length);
      mask = keys.length - 1;
      for (let k = 0; k < oldKeys.length; k++) {
        const v = oldKeys[k];
        if (v === undefined) continue;
        let j = oldHashes[k] & mask;
        while (keys[j] !== undefined) j = (j + 1) & mask;
        keys[j] = v;
        hashes[j] = oldHashes[k];
      }
      i = h & mask;
      while (keys[i] !== undefined) i = (i + 1) & mask;
    }
    keys[i] = value;
    this.internHashes[i] = h;
    return value;
  }

  /** Whether `candidate` is written at `start` (a loop: `startsWith` at an offset costs more for these short strings). */
  private sameText(candidate: string, start: number): boolean {
    const text = this.text;
    for (let k = 0; k < candidate.length; k++) {
      if (candidate.charCodeAt(k) !== text.charCodeAt(start + k)) return false;
    }
    return true;
  }

  /** Interned text of the current identifier token. */
  identifierText(): string {
    return this.identifierHash === 0 ? this.text.slice(this.start, this.end) : this.intern(this.start, this.end, this.identifierHash);
  }

  /** Takes a snapshot for lookahead; `restore` rewinds to it (also undoing recorded comments and diagnostics). */
  save(): ScannerState {
    return {
      pos: this.pos, token: this.token, start: this.start, end: this.end, keyword: this.keyword, value: this.value,
      identifierHash: this.identifierHash,
      stack: this.stack.length === 0 ? null : this.stack.slice(),
      comments: this.comments.length, diagnostics: this.diagnostics.length,
    };
  }

  restore(s: ScannerState): void {
    this.pos = s.pos;
    this.token = s.token;
    this.start = s.start;
    this.end = s.end;
    this.keyword = s.keyword;
    this.value = s.value;
    this.identifierHash = s.identifierHash;
    this.stack = s.stack === null ? [] : s.stack;
    this.comments.length = s.comments;
    this.diagnostics.length = s.diagnostics;
  }

  /** Scans the next token; returns its kind (also in `token`). */
  scan(): T {
    this.scans++;
    this.keyword = K.None;
    const text = this.text;
    let p = this.pos;
    let c = text.charCodeAt(p);
    // Most tokens are preceded by nothing or by single spaces: skip those here, and call the
    // general trivia loop only for tabs, comments and directives.
    while (c === C.Space) c = text.charCodeAt(++p);
    if (c === C.Tab || c === C.Slash || c === C.Hash) {
      p = this.skipTrivia(p);
      c = text.charCodeAt(p);
    }
    this.start = p;
    if (p >= this.len) {
      this.pos = this.end = p;
      return (this.token = T.EOF);
    }
    return (this.token = this.scanAt(p, c));
  }

  private diag(start: number, end: number, message: string): void {
    this.diagnostics.push({ start, end, message });
  }

  private skipTrivia(p: number): number {
    const text = this.text;
    const len = this.len;
    while (p < len) {
      const c = text.charCodeAt(p);
      if (c === C.Space || c === C.Tab) {
        p++;
      } else if (c === C.Slash) {
        const d = text.charCodeAt(p + 1);
        if (d === C.Slash) {
          let q = p + 2;
          while (q < len) {
            const e = text.charCodeAt(q);
            if (e === C.LF || e === C.CR) break;
            q++;
          }
          this.comments.push({ start: p, end: q, kind: 'line' });
          p = q;
        } else if (d === C.Star) {
          const close = text.indexOf('*/', p + 2);
          const q = close < 0 ? len : close + 2;
          if (close < 0) this.diag(p, q, 'Unterminated comment: add */');
          this.comments.push({ start: p, end: q, kind: 'block' });
          p = q;
        } else {
          break;
        }
      } else if (c === C.Hash && this.directiveAt(p)) {
        let q = p + 1;
        while (q < len) {
          const e = text.charCodeAt(q);
          if (e === C.LF || e === C.CR) break;
          q++;
        }
        // Trailing whitespace is not part of the directive.
        while (q > p && (text.charCodeAt(q - 1) === C.Space || text.charCodeAt(q - 1) === C.Tab)) q--;
        this.comments.push({ start: p, end: q, kind: 'directive' });
        p = q;
      } else {
        break;
      }
    }
    return p;
  }

  /** `#disable-next-line` and its kin count only as the first thing on their line. */
  private directiveAt(p: number): boolean {
    const text = this.text;
    let found = false;
    for (const d of DIRECTIVES) {
      if (text.startsWith(d, p + 1)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
    return atLineStart(text, p);
  }

  private scanAt(p: number, c: number): T {
    const text = this.text;
    if (c < 128 && identTable[c] === 3) {
      let q = p + 1;
      let h = Math.imul(FNV_OFFSET ^ c, FNV_PRIME);
      while (q < this.len) {
        const d = text.charCodeAt(q);
        if (d >= 128 || (identTable[d] & 2) === 0) break;
        h = Math.imul(h ^ d, FNV_PRIME);
        q++;
      }
      this.pos = this.end = q;
      this.identifierHash = q - p > MAX_INTERNED || h === 0 ? 0 : h;
      return this.classifyIdentifier(p, q);
    }
    if (c >= C.Zero && c <= C.Nine) {
      let q = p + 1;
      while (q < this.len) {
        const d = text.charCodeAt(q);
        if (d < C.Zero || d > C.Nine) break;
        q++;
      }
      this.pos = this.end = q;
      return T.Integer;
    }
    const next = text.charCodeAt(p + 1);
    // Punctuation sets `kind` and `width` and breaks to the shared epilogue; everything else returns.
    let kind = T.Unrecognized;
    let width = 1;
    switch (c) {
      case C.LF:
      case C.CR:
        return this.scanNewLine(p);
      case C.Quote:
        if (next === C.Quote && text.charCodeAt(p + 2) === C.Quote) return this.scanMultilineString(p + 3, true, 0);
        return this.scanString(p + 1, true);
      case C.LBrace:
        if (this.stack.length !== 0) this.stack.push(BRACE_IN_HOLE);
        kind = T.LBrace;
        break;
      case C.RBrace: {
        const n = this.stack.length;
        if (n !== 0) {
          const top = this.stack[n - 1];
          if (top === BRACE_IN_HOLE) {
            this.stack.pop();
          } else {
            const piece = top === 0 ? this.scanString(p + 1, false) : this.scanMultilineString(p + 1, false, top);
            if (piece === T.StringRight) this.stack.pop();
            return piece;
          }
        }
        kind = T.RBrace;
        break;
      }
      case C.LParen: kind = T.LParen; break;
      case C.RParen: kind = T.RParen; break;
      case C.LSquare: kind = T.LSquare; break;
      case C.RSquare: kind = T.RSquare; break;
      case C.At: kind = T.At; break;
      case C.Comma: kind = T.Comma; break;
      case C.Semicolon: kind = T.Semicolon; break;
      case C.Plus: kind = T.Plus; break;
      case C.Minus: kind = T.Minus; break;
      case C.Percent: kind = T.Percent; break;
      case C.Star: kind = T.Star; break;
      case C.Slash: kind = T.Slash; break;
      case C.Hat: kind = T.Hat; break;
      case C.Dot:
        if (next === C.Dot && text.charCodeAt(p + 2) === C.Dot) {
          kind = T.Ellipsis;
          width = 3;
        } else {
          kind = T.Dot;
        }
        break;
      case C.Question:
        kind = next === C.Question ? T.QuestionQuestion : T.Question;
        if (kind === T.QuestionQuestion) width = 2;
        break;
      case C.Colon:
        kind = next === C.Colon ? T.ColonColon : T.Colon;
        if (kind === T.ColonColon) width = 2;
        break;
      case C.Bang:
        if (next === C.Eq) {
          kind = T.NotEq;
          width = 2;
          break;
        }
        if (next === C.Tilde) {
          kind = T.NotTilde;
          width = 2;
          break;
        }
        kind = T.Bang;
        break;
      case C.Lt:
        kind = next === C.Eq ? T.Le : T.Lt;
        if (kind === T.Le) width = 2;
        break;
      case C.Gt:
        kind = next === C.Eq ? T.Ge : T.Gt;
        if (kind === T.Ge) width = 2;
        break;
      case C.Eq:
        if (next === C.Eq) {
          kind = T.EqEq;
          width = 2;
          break;
        }
        if (next === C.Tilde) {
          kind = T.EqTilde;
          width = 2;
          break;
        }
        if (next === C.Gt) {
          kind = T.Arrow;
          width = 2;
          break;
        }
        kind = T.Assign;
        break;
      case C.Amp:
        if (next === C.Amp) {
          kind = T.AndAnd;
          width = 2;
          break;
        }
        break;
      case C.Pipe:
        kind = next === C.Pipe ? T.OrOr : T.Pipe;
        if (kind === T.OrOr) width = 2;
        break;
      case C.Dollar: {
        let q = p;
        while (text.charCodeAt(q) === C.Dollar) q++;
        if (text.charCodeAt(q) === C.Quote && text.charCodeAt(q + 1) === C.Quote && text.charCodeAt(q + 2) === C.Quote) {
          return this.scanMultilineString(q + 3, true, q - p);
        }
        break;
      }
    }
    if (kind !== T.Unrecognized) {
      this.pos = this.end = p + width;
      return kind;
    }
    // Keep a surrogate pair together so a diagnostic never splits a character.
    width = c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
    this.pos = this.end = p + width;
    this.diag(p, p + width, c === C.DoubleQuote
      ? 'Bicep strings use single quotes, not "'
      : `Unexpected character '${text.slice(p, p + width)}'`);
    return T.Unrecognized;
  }

  private classifyIdentifier(p: number, q: number): T {
    const text = this.text;
    const n = q - p;
    let k = K.None;
    switch (text.charCodeAt(p)) {
      case 97: // a
        if (n === 2 && text.charCodeAt(p + 1) === 115) k = K.As;
        else if (n === 6 && text.startsWith('assert', p)) k = K.Assert;
        break;
      case 101: // e
        if (n === 8 && text.startsWith('existing', p)) k = K.Existing;
        else if (n === 9 && text.startsWith('extension', p)) k = K.Extension;
        else if (n === 7 && text.startsWith('extends', p)) k = K.Extends;
        else if (n === 15 && text.startsWith('extensionConfig', p)) k = K.ExtensionConfig;
        break;
      case 102: // f
        if (n === 4 && text.startsWith('func', p)) k = K.Func;
        else if (n === 3 && text.startsWith('for', p)) k = K.For;
        else if (n === 4 && text.startsWith('from', p)) k = K.From;
        else if (n === 5 && text.startsWith('false', p)) return T.False;
        break;
      case 105: // i
        if (n === 2) {
          const d = text.charCodeAt(p + 1);
          if (d === 102) k = K.If;
          else if (d === 110) k = K.In;
        } else if (n === 6 && text.startsWith('import', p)) k = K.Import;
        break;
      case 109: // m
        if (n === 8 && text.startsWith('metadata', p)) k = K.Metadata;
        else if (n === 6 && text.startsWith('module', p)) k = K.Module;
        break;
      case 110: // n (`name`, the most common key, is neither: tell by the second letter)
        if (n === 4) {
          const d = text.charCodeAt(p + 1);
          if (d === 117 && text.startsWith('null', p)) return T.Null;
          if (d === 111 && text.startsWith('none', p)) k = K.NoneKeyword;
        }
        break;
      case 111: // o
        if (n === 6 && text.startsWith('output', p)) k = K.Output;
        break;
      case 112: // p
        if (n === 5 && text.startsWith('param', p)) k = K.Param;
        break;
      case 114: // r
        if (n === 8 && text.startsWith('resource', p)) k = K.Resource;
        break;
      case 116: // t
        if (n === 4) {
          if (text.startsWith('true', p)) return T.True;
          if (text.startsWith('type', p)) k = K.Type;
          else if (text.startsWith('test', p)) k = K.Test;
        } else if (n === 11 && text.startsWith('targetScope', p)) {
          k = K.TargetScope;
        }
        break;
      case 117: // u
        if (n === 5 && text.startsWith('using', p)) k = K.Using;
        break;
      case 118: // v
        if (n === 3 && text.startsWith('var', p)) k = K.Var;
        break;
      case 119: // w
        if (n === 4 && text.startsWith('with', p)) k = K.With;
        break;
    }
    this.keyword = k;
    return T.Identifier;
  }

  private scanNewLine(p: number): T {
    if (this.stack.length !== 0) {
      // A string cannot span lines: close it here (zero-width) so the parser can finish it.
      this.stack.length = 0;
      this.diag(p, p, 'Unterminated string: add \' before the end of the line');
      this.pos = this.end = p;
      this.value = '';
      return T.StringRight;
    }
    const text = this.text;
    const len = this.len;
    let q = p;
    let lastNewLine: number;
    for (;;) {
      while (q < len) {
        const c = text.charCodeAt(q);
        if (c !== C.LF && c !== C.CR) break;
        q++;
      }
      lastNewLine = q;
      // Indentation is mostly spaces: step over them here, and call the general trivia loop only
      // for tabs, comments and directives.
      let c = text.charCodeAt(q);
      while (c === C.Space) c = text.charCodeAt(++q);
      if (c === C.Tab || c === C.Slash || c === C.Hash) {
        q = this.skipTrivia(q);
        c = text.charCodeAt(q);
      }
      if (c !== C.LF && c !== C.CR) break;
    }
    this.end = lastNewLine;
    this.pos = q;
    return T.NewLine;
  }

  /** Scans a single-line string piece whose content starts at `p`. */
  private scanString(p: number, first: boolean): T {
    const text = this.text;
    const len = this.len;
    let q = p;
    let segment = p;
    let decoded = '';
    let h = FNV_OFFSET;
    for (;;) {
      if (q >= len) {
        this.diag(this.start, q, 'Unterminated string: add \'');
        this.value = decoded + text.slice(segment, q);
        this.pos = this.end = q;
        return first ? T.StringComplete : T.StringRight;
      }
      const c = text.charCodeAt(q);
      if (c >= 128 || STRING_SPECIAL[c] === 0) {
        h = Math.imul(h ^ c, FNV_PRIME);
        q++;
        continue;
      }
      if (c === C.Quote) {
        this.value = this.stringValue(decoded, segment, q, h);
        this.pos = this.end = q + 1;
        return first ? T.StringComplete : T.StringRight;
      }
      if (c === C.LF || c === C.CR) {
        this.diag(this.start, q, 'Unterminated string: add \' before the end of the line');
        this.value = decoded + text.slice(segment, q);
        this.pos = this.end = q;
        return first ? T.StringComplete : T.StringRight;
      }
      if (c === C.Dollar && text.charCodeAt(q + 1) === C.LBrace) {
        this.value = this.stringValue(decoded, segment, q, h);
        this.pos = this.end = q + 2;
        if (first) {
          this.stack.push(0);
          return T.StringLeft;
        }
        return T.StringMiddle;
      }
      if (c === C.Backslash) {
        decoded += text.slice(segment, q);
        q = this.scanEscape(q);
        decoded += this.escaped;
        segment = q;
        continue;
      }
      // A `$` that does not open a hole is plain text.
      h = Math.imul(h ^ c, FNV_PRIME);
      q++;
    }
  }

  /** The value of a string piece: interned when it had no escapes and is short. */
  private stringValue(decoded: string, segment: number, end: number, h: number): string {
    if (decoded !== '') return decoded + this.text.slice(segment, end);
    const n = end - segment;
    if (n === 0) return '';
    return n > MAX_INTERNED ? this.text.slice(segment, end) : this.intern(segment, end, h);
  }

  private escaped = '';

  /** Decodes the escape at `p` (a backslash) into `escaped`; returns the offset after it. */
  private scanEscape(p: number): number {
    const text = this.text;
    const c = text.charCodeAt(p + 1);
    switch (c) {
      case 110: this.escaped = '\n'; return p + 2; // n
      case 114: this.escaped = '\r'; return p + 2; // r
      case 116: this.escaped = '\t'; return p + 2; // t
      case C.Backslash: this.escaped = '\\'; return p + 2;
      case C.Quote: this.escaped = '\''; return p + 2;
      case C.Dollar: this.escaped = '$'; return p + 2;
      case 117: { // u{hex}
        if (text.charCodeAt(p + 2) === C.LBrace) {
          let q = p + 3;
          let code = 0;
          while (q < this.len && q - p < 12) {
            const d = text.charCodeAt(q);
            const v = d >= 48 && d <= 57 ? d - 48 : d >= 97 && d <= 102 ? d - 87 : d >= 65 && d <= 70 ? d - 55 : -1;
            if (v < 0) break;
            code = code * 16 + v;
            q++;
          }
          if (q > p + 3 && text.charCodeAt(q) === C.RBrace && code <= 0x10ffff) {
            this.escaped = String.fromCodePoint(code);
            return q + 1;
          }
        }
        this.diag(p, p + 2, 'Invalid Unicode escape: write \\u{hex digits}');
        this.escaped = '\\u';
        return p + 2;
      }
    }
    if (p + 1 >= this.len || c === C.LF || c === C.CR) {
      this.escaped = '';
      return p + 1;
    }
    this.diag(p, p + 2, 'Unknown escape sequence: use \\n \\r \\t \\\\ \\\' \\$ or \\u{...}');
    this.escaped = text.slice(p, p + 2);
    return p + 2;
  }

  /**
   * Scans a multi-line string piece whose content starts at `p`. `dollars` is how many `$`
   * opened it (0: no interpolation); a hole opens with at least that many `$` before `{`.
   */
  private scanMultilineString(p: number, first: boolean, dollars: number): T {
    const text = this.text;
    const len = this.len;
    let content = p;
    if (first) {
      // A newline right after the opening quotes is not part of the value.
      if (text.charCodeAt(content) === C.CR) content++;
      if (text.charCodeAt(content) === C.LF) content++;
    }
    if (dollars === 0) {
      const close = text.indexOf('\'\'\'', p);
      if (close >= 0) {
        let e = close + 3;
        while (text.charCodeAt(e) === C.Quote) e++;
        this.value = text.slice(Math.min(content, e - 3), e - 3);
        this.pos = this.end = e;
        return first ? T.StringComplete : T.StringRight;
      }
    } else {
      let q = p;
      while (q < len) {
        const c = text.charCodeAt(q);
        if (c === C.Quote && text.charCodeAt(q + 1) === C.Quote && text.charCodeAt(q + 2) === C.Quote) {
          let e = q + 3;
          while (text.charCodeAt(e) === C.Quote) e++;
          this.value = text.slice(Math.min(content, e - 3), e - 3);
          this.pos = this.end = e;
          return first ? T.StringComplete : T.StringRight;
        }
        if (c === C.Dollar) {
          let e = q;
          while (text.charCodeAt(e) === C.Dollar) e++;
          if (e - q >= dollars && text.charCodeAt(e) === C.LBrace) {
            this.value = text.slice(Math.min(content, e - dollars), e - dollars);
            this.pos = this.end = e + 1;
            if (first) {
              this.stack.push(dollars);
              return T.StringLeft;
            }
            return T.StringMiddle;
          }
          q = e;
          continue;
        }
        q++;
      }
    }
    this.diag(this.start, len, 'Unterminated multi-line string: add \'\'\'');
    this.value = text.slice(Math.min(content, len), len);
    this.pos = this.end = len;
    return first ? T.StringComplete : T.StringRight;
  }
}

/** Lexes a whole text into tokens (for tests and tools; the parser pulls tokens itself). */
export function tokenize(text: string): { kind: T; start: number; end: number; keyword: K; value: string }[] {
  const out: { kind: T; start: number; end: number; keyword: K; value: string }[] = [];
  const s = new Scanner(text, 0, [], []);
  for (;;) {
    const kind = s.scan();
    const isString = kind >= T.StringComplete && kind <= T.StringRight;
    out.push({ kind, start: s.start, end: s.end, keyword: s.keyword, value: isString ? s.value : '' });
    if (kind === T.EOF) return out;
  }
}
