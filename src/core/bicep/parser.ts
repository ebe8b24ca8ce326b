/**
 * An error-tolerant recursive-descent parser for Bicep and `.bicepparam` files, following the
 * grammar of Azure/bicep's `Parser.cs` and `BaseParser.cs` (operator precedence, newline rules,
 * where newlines may appear), but more lenient where that loses nothing: commas and newlines mix
 * freely as separators, a missing `=` before a resource body still reads the body.
 *
 * Recovery: a broken declaration yields a diagnostic and a partial node (missing parts are
 * `error` nodes); the parser resumes at the next line that starts a declaration. Inside braces,
 * a declaration keyword at column 0 (`param x`, `resource y '...'`) ends every open bracket:
 * an unclosed `{` then costs one statement, not the rest of the file.
 *
 * Termination: every loop consumes a token or exits; nesting deeper than MAX_DEPTH is skipped
 * with a diagnostic; a step budget linear in the text length is a last safety net.
 */

import { BOM, isDeclarationKeyword, isIdentifierPart, K, Scanner, T } from './lexer';
import { shiftNode } from './walk';
import type {
  ArrayExpression, BicepFile, BinaryOperator, Comment, Decorator, ErrorNode, ErrorStatement, Expression,
  Identifier, ImportItem, InterpolatedString, ObjectExpression, ObjectMember, ObjectType, ObjectTypeProperty,
  ParseDiagnostic, ResourceDeclaration, SpreadExpression, Statement, StringLiteral, SyntaxNode, TupleType, TupleTypeItem,
  TypedLambda, TypedParameter, TypeExpression,
} from './syntax';

/** Options for `parseBicep`. */
export interface ParseOptions {
  /** Parse as a `.bicepparam` file (`param x = value` assignments). */
  paramFile?: boolean;
  /** Filled with counters of the work done, to check that parsing is linear. */
  stats?: ParseStats;
}

/** Work counters: `steps` counts parser steps, `scans` counts tokens scanned (lookahead included). */
export interface ParseStats {
  steps: number;
  scans: number;
}

/** An edit of the text: `[start, end)` of the old text replaced by `newText`. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** Deepest nesting of expressions and types that is parsed; deeper input is skipped with a diagnostic. */
export const MAX_DEPTH = 500;

const EMPTY_DECORATORS: readonly Decorator[] = Object.freeze([]) as readonly Decorator[];

/** Thrown (and caught in this module) when the step budget runs out, which only a parser bug could cause. */
class StepBudgetExceeded extends Error {}

// Binary operator precedence by token kind (0: not a binary operator), as in Bicep's TokenTypeHelper.
const PRECEDENCE = new Uint8Array(T.Unrecognized + 1);
const OPERATOR: BinaryOperator[] = [];
function binary(t: T, precedence: number, op: BinaryOperator): void {
  PRECEDENCE[t] = precedence;
  OPERATOR[t] = op;
}
binary(T.Star, 7, '*');
binary(T.Slash, 7, '/');
binary(T.Percent, 7, '%');
binary(T.Plus, 6, '+');
binary(T.Minus, 6, '-');
binary(T.Gt, 5, '>');
binary(T.Ge, 5, '>=');
binary(T.Lt, 5, '<');
binary(T.Le, 5, '<=');
binary(T.EqEq, 4, '==');
binary(T.NotEq, 4, '!=');
binary(T.EqTilde, 4, '=~');
binary(T.NotTilde, 4, '!~');
binary(T.AndAnd, 3, '&&');
binary(T.OrOr, 2, '||');
binary(T.QuestionQuestion, 1, '??');

// Tokens that can begin an expression (or a type): used to tell an item from junk in lists.
const STARTS_EXPRESSION = new Uint8Array(T.Unrecognized + 1);
for (const t of [T.Identifier, T.Integer, T.StringComplete, T.StringLeft, T.LBrace, T.LSquare, T.LParen,
  T.Bang, T.Minus, T.Plus, T.True, T.False, T.Null]) STARTS_EXPRESSION[t] = 1;

/**
 * A token kind as the parser reads it. The `number & {}` arm stops TypeScript from narrowing
 * `this.token` after a comparison: `next()` changes it, which the checker cannot see. (A getter
 * would do the same but costs a call in unoptimized code, and the first parse of a file runs
 * mostly unoptimized.)
 */
type Tok = T | (number & {});

const LF = 10;
const CR = 13;

function tokenText(t: Tok): string {
  switch (t) {
    case T.EOF: return 'end of file';
    case T.NewLine: return 'new line';
    case T.Identifier: return 'identifier';
    case T.Integer: return 'number';
    case T.StringComplete: case T.StringLeft: case T.StringMiddle: case T.StringRight: return 'string';
    default: return 'token';
  }
}

class Parser {
  /** Kind of the current token. */
  token: Tok = T.EOF;
  ts: number;
  te: number;
  kw: K = K.None;
  /** End of the last consumed token other than a newline: where nodes end and missing parts are reported. */
  prevEnd: number;
  /** Whether the last consumed token was a newline. */
  lastWasNewLine = true;
  depth = 0;
  steps = 0;
  private readonly maxSteps: number;
  // Open brackets of each kind, so a list stops at a closer that an enclosing list is waiting for.
  private openBraces = 0;
  private openSquares = 0;
  private openParens = 0;
  private openHoles = 0;
  private openTypeLiterals = 0;
  /** Number of diagnostics when the current top-level statement began. */
  private statementDiagnostics = 0;
  /**
   * The items of the lists being parsed, on one stack that is never shrunk (`itemCount` is its
   * top): each list is copied out at its exact length when it ends, instead of each growing an
   * array of its own that would then be trimmed (every list in the tree lives as long as the tree).
   */
  private readonly items: SyntaxNode[] = [];
  private itemCount = 0;
  /** The same for the text segments of the interpolated strings being parsed (they nest through their holes). */
  private readonly segments: string[] = [];
  private segmentCount = 0;
  readonly s: Scanner;

  constructor(
    readonly text: string,
    start: number,
    readonly paramFile: boolean,
    readonly comments: Comment[],
    readonly diagnostics: ParseDiagnostic[],
  ) {
    this.s = new Scanner(text, start, comments, diagnostics);
    this.ts = this.te = this.prevEnd = start;
    this.maxSteps = 64 * (text.length - start) + 1024;
  }

  /** Scans the first token (separate from the constructor so that the caller's error handling covers it). */
  begin(): void {
    this.next();
    this.lastWasNewLine = true;
  }

  // ---- lists -------------------------------------------------------------------------------

  /** Adds an item to the list being parsed (the innermost: lists nest, so its items are on top). */
  private pushItem(item: SyntaxNode): void {
    this.items[this.itemCount++] = item;
  }

  /** Ends the list whose items begin at `base`: its items as an array of their exact length. */
  private takeItems<N extends SyntaxNode>(base: number): N[] {
    const list = this.items.slice(base, this.itemCount) as N[];
    this.itemCount = base;
    return list;
  }

  private pushSegment(segment: string): void {
    this.segments[this.segmentCount++] = segment;
  }

  private takeSegments(base: number): string[] {
    const list = this.segments.slice(base, this.segmentCount);
    this.segmentCount = base;
    return list;
  }

  // ---- tokens ------------------------------------------------------------------------------

  next(): void {
    if (this.token !== T.NewLine) {
      this.prevEnd = this.te;
      this.lastWasNewLine = false;
    } else {
      this.lastWasNewLine = true;
    }
    if (++this.steps > this.maxSteps) throw new StepBudgetExceeded();
    const s = this.s;
    this.token = s.scan();
    this.ts = s.start;
    this.te = s.end;
    this.kw = s.keyword;
  }

  /** Kind of the token after the current one (rare paths only: it rescans). */
  peek(): T {
    const s = this.s;
    const saved = s.save();
    const t = s.scan();
    s.restore(saved);
    this.steps++;
    return t;
  }

  /** After a newline token the scanner stands on the next token's first character. */
  private charAfterNewLine(offset = 0): number {
    return this.text.charCodeAt(this.s.pos + offset);
  }

  private skipNewLines(): void {
    while (this.token === T.NewLine) this.next();
  }

  private atColumn0(): boolean {
    const p = this.ts;
    if (p === 0) return true;
    const c = this.text.charCodeAt(p - 1);
    return c === LF || c === CR || (p === 1 && c === BOM);
  }

  /** Whether the current token starts a declaration: a decorator, or a keyword followed by what that declaration needs. */
  isDeclarationStart(): boolean {
    if (this.token === T.At) return true;
    if (this.token !== T.Identifier || !isDeclarationKeyword(this.kw)) return false;
    const next = this.peek();
    switch (this.kw) {
      case K.TargetScope: return next === T.Assign;
      case K.Import: return next === T.LBrace || next === T.Star || next === T.StringComplete || next === T.StringLeft;
      case K.Extension: case K.Using: case K.Extends:
        return next === T.Identifier || next === T.StringComplete || next === T.StringLeft;
      default: return next === T.Identifier;
    }
  }

  /**
   * A declaration at column 0 inside brackets: the brackets were not closed. (Inside object and
   * tuple types, an unindented `@` is more likely a property's decorator, so only keywords count.)
   */
  private atStrayDeclaration(): boolean {
    const t = this.token;
    if (t !== T.Identifier && (t !== T.At || this.openTypeLiterals > 0)) return false;
    return this.atColumn0() && this.isDeclarationStart();
  }

  /** Whether a list must stop here: end of file, a closer an enclosing list waits for, or a stray declaration. */
  private atListEnd(): boolean {
    switch (this.token) {
      case T.EOF: return true;
      case T.RBrace: return this.openBraces > 0;
      case T.RSquare: return this.openSquares > 0;
      case T.RParen: return this.openParens > 0;
      case T.StringMiddle: case T.StringRight: return this.openHoles > 0;
      case T.Identifier: case T.At: return this.atStrayDeclaration();
      default: return false;
    }
  }

  // ---- diagnostics -------------------------------------------------------------------------

  error(start: number, end: number, message: string): void {
    const d = this.diagnostics;
    // One diagnostic per position: the first is the cause, later ones at the same place are
    // echoes. Only this statement's diagnostics count, so that a statement's diagnostics never
    // depend on the one before it (re-parsing reuses statements one by one).
    if (d.length > this.statementDiagnostics && d[d.length - 1].start === start) return;
    d.push({ start, end, message });
  }

  /** Reports a missing part (zero-width, after the last token) and returns its placeholder. */
  missing(message: string): ErrorNode {
    const p = this.prevEnd;
    this.error(p, p, message);
    return { kind: 'error', start: p, end: p };
  }

  private unexpected(message: string): void {
    // A closer an enclosing list waits for, or a declaration at column 0, is not junk: the open
    // bracket that stopped at it has reported itself. (Reporting a stray declaration would also
    // put one statement's diagnostic at the next one's start, which re-parsing must never see.)
    // The scanner has already reported an unrecognized character.
    if (this.atListEnd() || this.token === T.Unrecognized) return;
    this.error(this.ts, this.te, `${message} (found ${this.describe()})`);
  }

  private describe(): string {
    const t = this.token;
    if (t === T.EOF || t === T.NewLine || (t >= T.StringComplete && t <= T.StringRight)) return tokenText(t);
    const text = this.text.slice(this.ts, Math.min(this.te, this.ts + 40));
    return `'${text}'`;
  }

  private expectClose(t: T, what: string): boolean {
    if (this.token === t) {
      this.next();
      return true;
    }
    this.missing(`Expected '${what}'`);
    return false;
  }

  /**
   * In an array or argument list, a line starting with `key:` while an object is open means the
   * list was never closed and the line is the object's next property.
   */
  private atPropertyOfOpenObject(): boolean {
    if (this.openBraces === 0 || !this.lastWasNewLine) return false;
    const t = this.token;
    return (t === T.Identifier || t === T.StringComplete) && this.peek() === T.Colon;
  }

  /** After a list item: a separator, the list's closer, or a newline already consumed by an inner list that stopped early. */
  private atSeparator(closer: T): boolean {
    const t = this.token;
    return t === T.NewLine || t === T.Comma || t === closer || this.lastWasNewLine;
  }

  /** Skips unexpected tokens in a list up to a separator or a closer an enclosing list waits for. */
  private skipJunk(): void {
    for (;;) {
      const t = this.token;
      if (t === T.NewLine || t === T.Comma || this.atListEnd()) return;
      if (t === T.LBrace || t === T.LSquare || t === T.LParen) this.skipGroup();
      else this.next();
    }
  }

  /** Skips a bracketed group (iteratively, so any depth is fine), stopping early at a stray declaration. */
  private skipGroup(): void {
    let depth = 0;
    for (;;) {
      const t = this.token;
      if (t === T.EOF) return;
      if (t === T.NewLine) {
        this.next();
        if (this.atStrayDeclaration()) return;
        continue;
      }
      if (t === T.LBrace || t === T.LSquare || t === T.LParen) depth++;
      else if (t === T.RBrace || t === T.RSquare || t === T.RParen) depth--;
      this.next();
      if (depth <= 0) return;
    }
  }

  /** Top-level recovery: skips to the next line that starts a declaration, stepping over balanced brackets. */
  private skipToDeclarationLine(): void {
    let balance = 0;
    for (;;) {
      const t = this.token;
      if (t === T.EOF) return;
      if (t === T.NewLine) {
        this.next();
        if ((balance === 0 || this.atColumn0()) && this.isDeclarationStart()) return;
        continue;
      }
      if (t === T.LBrace || t === T.LSquare || t === T.LParen) balance++;
      else if ((t === T.RBrace || t === T.RSquare || t === T.RParen) && balance > 0) balance--;
      this.next();
    }
  }

  private tooDeep(): ErrorNode {
    const message = `Nesting is too deep to read (more than ${MAX_DEPTH} levels)`;
    const t = this.token;
    if (t === T.NewLine || this.atListEnd()) return this.missing(message);
    const start = this.ts;
    this.error(start, this.te, message);
    if (t === T.LBrace || t === T.LSquare || t === T.LParen) this.skipGroup();
    else this.next();
    return { kind: 'error', start, end: this.prevEnd };
  }

  // ---- statements --------------------------------------------------------------------------

  /**
   * Parses statements until the end of the file, or until `resync` accepts the offset of a
   * statement about to begin (a re-parse rejoining the old tree).
   */
  parseStatements(out: Statement[], resync: ((start: number) => boolean) | null): void {
    for (;;) {
      this.skipNewLines();
      if (this.token === T.EOF) return;
      if (resync !== null && resync(this.ts)) return;
      this.statementDiagnostics = this.diagnostics.length;
      out.push(this.parseStatement());
      if (this.token !== T.NewLine && this.token !== T.EOF && !this.lastWasNewLine) {
        this.unexpected('Expected a new line after the declaration');
        this.skipToDeclarationLine();
      }
    }
  }

  private parseStatement(): Statement {
    const start = this.ts;
    const decorators = this.parseDecorators();
    if (this.token === T.Identifier) {
      switch (this.kw) {
        case K.Param: return this.parseParam(start, decorators);
        case K.Var: return this.parseVar(start, decorators);
        case K.Resource: return this.parseResource(start, decorators);
        case K.Module: return this.parseModule(start, decorators);
        case K.Output: return this.parseOutput(start, decorators);
        case K.Type: return this.parseTypeDeclaration(start, decorators);
        case K.Func: return this.parseFunc(start, decorators);
        case K.Import: return this.parseImport(start, decorators);
        case K.Extension: this.next(); return this.parseExtensionRest(start, decorators);
        case K.TargetScope: return this.parseTargetScope(start, decorators);
        case K.Metadata: return this.parseMetadata(start, decorators);
        case K.Using: return this.parseUsing(start, decorators);
        case K.Extends: return this.parseExtends(start, decorators);
        case K.Test: return this.parseTest(start, decorators);
        case K.Assert: return this.parseAssert(start, decorators);
        case K.ExtensionConfig: return this.parseExtensionConfig(start, decorators);
      }
    }
    if (decorators.length > 0) {
      this.missing('Expected a declaration after the decorator');
    } else {
      this.unexpected(this.paramFile
        ? 'Expected a declaration: using, param, var, type, import or extension'
        : 'Expected a declaration: param, var, resource, module, output, type, func, import, extension, metadata or targetScope');
      this.skipToDeclarationLine();
    }
    const node: ErrorStatement = { kind: 'errorStatement', start, end: Math.max(start, this.prevEnd), decorators };
    return node;
  }

  private parseDecorators(): readonly Decorator[] {
    if (this.token !== T.At) return EMPTY_DECORATORS;
    const base = this.itemCount;
    while (this.token === T.At) {
      const start = this.ts;
      this.next();
      const expression = this.token === T.Identifier ? this.parseMember() : this.missing('Expected a decorator name');
      this.pushItem({ kind: 'decorator', start, end: this.prevEnd, expression });
      if (this.token !== T.NewLine && this.token !== T.EOF) {
        this.unexpected('Expected a new line after the decorator');
        this.skipJunk();
      }
      this.skipNewLines();
    }
    return this.takeItems<Decorator>(base);
  }

  private name(what: string): Identifier | ErrorNode {
    return this.token === T.Identifier ? this.identifier() : this.missing(`Expected ${what}`);
  }

  private identifier(): Identifier {
    const node: Identifier = { kind: 'identifier', start: this.ts, end: this.te, name: this.s.identifierText() };
    this.next();
    return node;
  }

  private stringOrMissing(message: string): StringLiteral | InterpolatedString | ErrorNode {
    return this.token === T.StringComplete || this.token === T.StringLeft ? this.parseString() : this.missing(message);
  }

  /** `= expression`; a missing `=` is reported and the value is still read when one follows on the line. */
  private assignedValue(): Expression {
    if (this.token === T.Assign) {
      this.next();
    } else {
      this.missing('Expected \'=\'');
      if (!STARTS_EXPRESSION[this.token]) return this.missing('Expected a value');
    }
    return this.parseExpression();
  }

  private parseParam(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    const name = this.name('a parameter name');
    let type: TypeExpression | null = null;
    let value: Expression | null = null;
    if (this.paramFile) {
      value = this.assignedValue();
    } else {
      type = this.token === T.Assign || this.token === T.NewLine || this.token === T.EOF
        ? this.missing('Expected a parameter type')
        : this.parseTypeOrResourceType(false);
      if (this.token === T.Assign) {
        this.next();
        value = this.parseExpression();
      }
    }
    return { kind: 'param', start, end: this.prevEnd, decorators, name, type, value };
  }

  private parseVar(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    const name = this.name('a variable name');
    const type = this.token !== T.Assign && this.token !== T.NewLine && this.token !== T.EOF ? this.parseType() : null;
    const value = this.assignedValue();
    return { kind: 'var', start, end: this.prevEnd, decorators, name, type, value };
  }

  private parseTypeDeclaration(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    const name = this.name('a type name');
    let value: TypeExpression;
    if (this.token === T.Assign) {
      this.next();
      value = this.parseType();
    } else {
      value = this.missing('Expected \'=\'');
    }
    return { kind: 'type', start, end: this.prevEnd, decorators, name, value };
  }

  private parseResource(start: number, decorators: readonly Decorator[]): ResourceDeclaration {
    this.next();
    const name = this.name('a resource name');
    const type = this.stringOrMissing('Expected a resource type string, like \'Microsoft.Network/networkSecurityGroups@2023-09-01\'');
    let existing = false;
    if (this.token === T.Identifier && this.kw === K.Existing) {
      existing = true;
      this.next();
    }
    if (this.token === T.Assign) this.next();
    else this.missing('Expected \'=\'');
    const value = this.parseBodyValue(true);
    return { kind: 'resource', start, end: this.prevEnd, decorators, name, type, existing, value };
  }

  private parseModule(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    const name = this.name('a module name');
    const path = this.stringOrMissing('Expected a module path, like \'./nsg.bicep\' or \'br/public:...\'');
    if (this.token === T.Assign) this.next();
    else this.missing('Expected \'=\'');
    const value = this.parseBodyValue(false);
    return { kind: 'module', start, end: this.prevEnd, decorators, name, path, value };
  }

  /** A resource or module body: `{...}`, `if (cond) {...}` (which may start on the next line) or `[for ...]`. */
  private parseBodyValue(resourceBody: boolean): Expression {
    if (this.token === T.NewLine && this.text.startsWith('if', this.s.pos) && !isIdentifierPart(this.charAfterNewLine(2))) {
      this.skipNewLines();
    }
    switch (this.token) {
      case T.LBrace: return this.parseObject(resourceBody);
      case T.LSquare: return this.parseArrayOrFor(resourceBody);
      case T.Identifier:
        if (this.kw === K.If) return this.parseIf(resourceBody);
        break;
    }
    return this.missing('Expected \'{\', \'if\' or \'[for\'');
  }

  private parseOutput(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    const name = this.name('an output name');
    const type = this.token === T.Assign || this.token === T.NewLine || this.token === T.EOF
      ? this.missing('Expected an output type')
      : this.parseTypeOrResourceType(true);
    const value = this.assignedValue();
    return { kind: 'output', start, end: this.prevEnd, decorators, name, type, value };
  }

  private parseFunc(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    const name = this.name('a function name');
    const lambda = this.token === T.LParen ? this.parseTypedLambda() : this.missing('Expected \'(\'');
    return { kind: 'func', start, end: this.prevEnd, decorators, name, lambda };
  }

  private parseTypedLambda(): TypedLambda | ErrorNode {
    if (this.depth >= MAX_DEPTH) return this.tooDeep();
    this.depth++;
    const start = this.ts;
    this.next();
    this.openParens++;
    const parameters: (TypedParameter | ErrorNode)[] = [];
    let expectItem = true;
    let closed = false;
    for (;;) {
      this.steps++;
      const t = this.token;
      if (t === T.NewLine) { this.next(); continue; }
      if (t === T.RParen) { this.next(); closed = true; break; }
      if (t === T.Comma) {
        if (expectItem) this.unexpected('Expected a parameter');
        this.next();
        expectItem = true;
        continue;
      }
      if (this.atListEnd()) break;
      if (t === T.Identifier) {
        if (!expectItem) this.unexpected('Expected \',\' or \')\'');
        const name = this.identifier();
        const type = this.token === T.Comma || this.token === T.RParen || this.token === T.NewLine ? this.missing('Expected a parameter type') : this.parseType();
        parameters.push({ kind: 'typedParameter', start: name.start, end: this.prevEnd, name, type });
        expectItem = false;
      } else {
        this.unexpected('Expected a parameter name');
        this.skipJunk();
      }
    }
    this.openParens--;
    if (!closed) this.missing('Expected \')\'');
    const returnType = this.token === T.Arrow || this.token === T.NewLine || this.token === T.EOF ? this.missing('Expected a return type') : this.parseType();
    const body = this.token === T.Arrow ? this.parseLambdaBody() : this.missing('Expected \'=>\'');
    this.depth--;
    return { kind: 'typedLambda', start, end: this.prevEnd, parameters, returnType, body };
  }

  private parseImport(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    // `import 'name@version'` is the old spelling of `extension`.
    if (this.token === T.StringComplete || this.token === T.StringLeft) return this.parseExtensionRest(start, decorators);
    let items: ImportItem[] | null = null;
    let wildcardAlias: Identifier | ErrorNode | null = null;
    if (this.token === T.LBrace) {
      items = this.parseImportList();
    } else if (this.token === T.Star) {
      this.next();
      if (this.token === T.Identifier && this.kw === K.As) {
        this.next();
        wildcardAlias = this.name('a namespace name');
      } else {
        wildcardAlias = this.missing('Expected \'as\'');
      }
    } else {
      this.missing('Expected \'{\' or \'*\'');
    }
    let from: StringLiteral | InterpolatedString | ErrorNode;
    if (this.token === T.Identifier && this.kw === K.From) {
      this.next();
      from = this.stringOrMissing('Expected a path string');
    } else {
      from = this.missing('Expected \'from\'');
    }
    return { kind: 'import', start, end: this.prevEnd, decorators, items, wildcardAlias, from };
  }

  private parseImportList(): ImportItem[] {
    this.next();
    this.openBraces++;
    const items: ImportItem[] = [];
    let closed = false;
    for (;;) {
      this.steps++;
      const t = this.token;
      if (t === T.NewLine || t === T.Comma) { this.next(); continue; }
      if (t === T.RBrace) { this.next(); closed = true; break; }
      if (this.atListEnd()) break;
      if (t === T.Identifier || t === T.StringComplete || t === T.StringLeft) {
        const start = this.ts;
        const name = t === T.Identifier ? this.identifier() : this.parseString();
        let alias: Identifier | ErrorNode | null = null;
        if (this.token === T.Identifier && this.kw === K.As) {
          this.next();
          alias = this.name('an alias');
        }
        items.push({ kind: 'importItem', start, end: this.prevEnd, name, alias });
        if (this.atSeparator(T.RBrace)) continue;
      }
      this.unexpected('Expected a symbol name');
      this.skipJunk();
    }
    this.openBraces--;
    if (!closed) this.missing('Expected \'}\'');
    return items;
  }

  private parseExtensionRest(start: number, decorators: readonly Decorator[]): Statement {
    const t = this.token;
    const specification = t === T.Identifier ? this.identifier()
      : t === T.StringComplete || t === T.StringLeft ? this.parseString()
        : this.missing('Expected an extension name');
    let config: ObjectExpression | ErrorNode | null = null;
    if (this.token === T.Identifier && this.kw === K.With) {
      this.next();
      config = this.token === T.LBrace ? this.parseObject(false) : this.missing('Expected \'{\'');
    }
    let alias: Identifier | ErrorNode | null = null;
    if (this.token === T.Identifier && this.kw === K.As) {
      this.next();
      alias = this.name('an alias');
    }
    return { kind: 'extension', start, end: this.prevEnd, decorators, specification, config, alias };
  }

  private parseTargetScope(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    const value = this.assignedValue();
    return { kind: 'targetScope', start, end: this.prevEnd, decorators, value };
  }

  private parseMetadata(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    const name = this.name('a metadata name');
    const value = this.assignedValue();
    return { kind: 'metadata', start, end: this.prevEnd, decorators, name, value };
  }

  private parseUsing(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    let path: StringLiteral | InterpolatedString | ErrorNode | null;
    if (this.token === T.Identifier && this.kw === K.NoneKeyword) {
      this.next();
      path = null;
    } else {
      path = this.stringOrMissing('Expected a path string or \'none\'');
    }
    let config: ObjectExpression | ErrorNode | null = null;
    if (this.token === T.Identifier && this.kw === K.With) {
      this.next();
      config = this.token === T.LBrace ? this.parseObject(false) : this.missing('Expected \'{\'');
    }
    return { kind: 'using', start, end: this.prevEnd, decorators, path, config };
  }

  private parseExtends(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    const path = this.stringOrMissing('Expected a path string');
    return { kind: 'extends', start, end: this.prevEnd, decorators, path };
  }

  private parseTest(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    const name = this.name('a test name');
    const path = this.stringOrMissing('Expected a path string');
    if (this.token === T.Assign) this.next();
    else this.missing('Expected \'=\'');
    const value = this.token === T.LBrace ? this.parseObject(false) : this.missing('Expected \'{\'');
    return { kind: 'test', start, end: this.prevEnd, decorators, name, path, value };
  }

  private parseAssert(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    const name = this.name('an assertion name');
    const value = this.assignedValue();
    return { kind: 'assert', start, end: this.prevEnd, decorators, name, value };
  }

  private parseExtensionConfig(start: number, decorators: readonly Decorator[]): Statement {
    this.next();
    const name = this.name('an extension alias');
    let config: ObjectExpression | ErrorNode;
    if (this.token === T.Identifier && this.kw === K.With) {
      this.next();
      config = this.token === T.LBrace ? this.parseObject(false) : this.missing('Expected \'{\'');
    } else {
      config = this.missing('Expected \'with\'');
    }
    return { kind: 'extensionConfig', start, end: this.prevEnd, decorators, name, config };
  }

  // ---- expressions -------------------------------------------------------------------------

  parseExpression(): Expression {
    if (this.depth >= MAX_DEPTH) return this.tooDeep();
    this.depth++;
    this.steps++;
    const condition = this.parseBinary(0);
    let result = condition;
    // A ternary may continue on the next lines: `cond` / `? a` / `: b`. `??` on the next line does not.
    if (this.token === T.Question
      || (this.token === T.NewLine && this.charAfterNewLine() === 63 && this.charAfterNewLine(1) !== 63)) {
      this.skipNewLines();
      this.next();
      const whenTrue = this.parseExpression();
      if (this.token === T.NewLine && this.charAfterNewLine() === 58 && this.charAfterNewLine(1) !== 58) this.skipNewLines();
      let whenFalse: Expression;
      if (this.token === T.Colon) {
        this.next();
        whenFalse = this.parseExpression();
      } else {
        whenFalse = this.missing('Expected \':\'');
      }
      result = { kind: 'ternary', start: condition.start, end: this.prevEnd, condition, whenTrue, whenFalse };
    }
    this.depth--;
    return result;
  }

  private parseBinary(minPrecedence: number): Expression {
    let left = this.parseUnary();
    // `a + b + c ...` nests to the left without recursing here; the links count against the
    // depth limit so that no tree is deeper than consumers' recursive walks can follow.
    let links = this.depth;
    for (;;) {
      const precedence = PRECEDENCE[this.token];
      if (precedence <= minPrecedence) return left;
      const operator = OPERATOR[this.token];
      const operatorStart = this.ts;
      this.next();
      const right = this.parseBinary(precedence);
      if (++links < MAX_DEPTH) left = { kind: 'binary', start: left.start, end: this.prevEnd, operator, left, right };
      else if (links === MAX_DEPTH) this.chainTooDeep(operatorStart);
    }
  }

  /** Reports a chain (of operators, accessors, unary operators) too long to nest further; its rest is read but not kept. */
  private chainTooDeep(start: number): void {
    this.error(start, this.prevEnd, `Nesting is too deep to read (more than ${MAX_DEPTH} levels)`);
  }

  private parseUnary(): Expression {
    const t = this.token;
    if (t !== T.Bang && t !== T.Minus && t !== T.Plus) return this.parseMember();
    // A loop, not recursion: `!!!!...` of any length must not grow the stack.
    const starts: number[] = [];
    const operators: ('!' | '-' | '+')[] = [];
    while (this.token === T.Bang || this.token === T.Minus || this.token === T.Plus) {
      if (this.depth + starts.length < MAX_DEPTH) {
        starts.push(this.ts);
        operators.push(this.token === T.Bang ? '!' : this.token === T.Minus ? '-' : '+');
      } else if (this.depth + starts.length === MAX_DEPTH) {
        this.chainTooDeep(this.ts);
        starts.push(-1);
      }
      this.next();
    }
    let operand = this.parseMember();
    for (let i = starts.length - 1; i >= 0; i--) {
      if (starts[i] >= 0) operand = { kind: 'unary', start: starts[i], end: operand.end, operator: operators[i], operand };
    }
    return operand;
  }

  parseMember(): Expression {
    let e = this.parsePrimary();
    let links = this.depth;
    for (;;) {
      const linkStart = this.ts;
      let next: Expression;
      switch (this.token) {
        case T.LSquare: {
          this.next();
          let safe = false;
          let fromEnd = false;
          if (this.token === T.Question) { safe = true; this.next(); }
          if (this.token === T.Hat) { fromEnd = true; this.next(); }
          this.openSquares++;
          const index = this.token === T.RSquare ? this.missing('Expected an index') : this.parseExpression();
          this.openSquares--;
          this.expectClose(T.RSquare, ']');
          next = { kind: 'indexAccess', start: e.start, end: this.prevEnd, object: e, index, safe, fromEnd };
          break;
        }
        case T.Dot:
          this.next();
          next = this.parseAfterDot(e, false);
          break;
        case T.Question:
          // `a?.b` is not Bicep (it writes `a.?b`), but the intent is plain: read it, and say so.
          if (this.text.charCodeAt(this.te) !== 46 || this.text.charCodeAt(this.te + 1) === 46) return e;
          this.error(this.ts, this.te + 1, 'Bicep writes safe access as \'.?\', not \'?.\'');
          this.next();
          this.next();
          next = this.parseAfterDot(e, true);
          break;
        case T.ColonColon: {
          this.next();
          const name = this.name('a resource name');
          next = { kind: 'resourceAccess', start: e.start, end: this.prevEnd, object: e, name };
          break;
        }
        case T.Bang:
          this.next();
          next = { kind: 'nonNull', start: e.start, end: this.prevEnd, expression: e };
          break;
        default:
          return e;
      }
      if (++links < MAX_DEPTH) e = next;
      else if (links === MAX_DEPTH) this.chainTooDeep(linkStart);
    }
  }

  private parseAfterDot(object: Expression, safeAlready: boolean): Expression {
    let safe = safeAlready;
    if (!safe && this.token === T.Question) {
      safe = true;
      this.next();
    }
    if (this.token !== T.Identifier) {
      const name = this.missing('Expected a property name');
      return { kind: 'propertyAccess', start: object.start, end: this.prevEnd, object, name, safe };
    }
    const name = this.identifier();
    if (this.token === T.LParen) {
      if (safe) this.error(name.start, name.end, 'Safe access \'.?\' cannot call a function');
      const args = this.parseArguments();
      return { kind: 'call', start: object.start, end: this.prevEnd, target: object, name, arguments: args };
    }
    return { kind: 'propertyAccess', start: object.start, end: this.prevEnd, object, name, safe };
  }

  private parsePrimary(): Expression {
    const start = this.ts;
    switch (this.token) {
      case T.Identifier: {
        const id = this.identifier();
        if (this.token === T.LParen) {
          const args = this.parseArguments();
          return { kind: 'call', start, end: this.prevEnd, target: null, name: id, arguments: args };
        }
        if (this.token === T.Arrow) {
          const body = this.parseLambdaBody();
          return { kind: 'lambda', start, end: this.prevEnd, parameters: [id], body };
        }
        return id;
      }
      case T.StringComplete: {
        const node: StringLiteral = { kind: 'string', start, end: this.te, value: this.s.value };
        this.next();
        return node;
      }
      case T.StringLeft: return this.parseInterpolated();
      case T.Integer: {
        const text = this.text;
        let value = 0;
        for (let i = start; i < this.te; i++) value = value * 10 + (text.charCodeAt(i) - 48);
        this.next();
        return { kind: 'integer', start, end: this.prevEnd, value };
      }
      case T.LBrace: return this.parseObject(false);
      case T.LSquare: return this.parseArrayOrFor(false);
      case T.LParen: return this.parseParenthesizedOrLambda();
      case T.True: this.next(); return { kind: 'boolean', start, end: this.prevEnd, value: true };
      case T.False: this.next(); return { kind: 'boolean', start, end: this.prevEnd, value: false };
      case T.Null: this.next(); return { kind: 'null', start, end: this.prevEnd };
    }
    return this.missing('Expected an expression');
  }

  /** The current token is a string; reads it, with any interpolation. */
  private parseString(): StringLiteral | InterpolatedString {
    if (this.token === T.StringComplete) {
      const node: StringLiteral = { kind: 'string', start: this.ts, end: this.te, value: this.s.value };
      this.next();
      return node;
    }
    return this.parseInterpolated();
  }

  private parseInterpolated(): InterpolatedString {
    const start = this.ts;
    const segmentBase = this.segmentCount;
    this.pushSegment(this.s.value);
    const base = this.itemCount;
    this.next();
    this.openHoles++;
    for (;;) {
      this.steps++;
      this.pushItem(this.parseExpression());
      if (this.token !== T.StringMiddle && this.token !== T.StringRight) {
        if (this.token !== T.EOF && this.token !== T.NewLine) {
          this.unexpected('Unexpected tokens in interpolation');
          while (this.token !== T.StringMiddle && this.token !== T.StringRight && this.token !== T.EOF && this.token !== T.NewLine) this.next();
        }
        if (this.token === T.EOF || this.token === T.NewLine) {
          this.missing('Unterminated string: expected \'}\' and \'');
          this.pushSegment('');
          break;
        }
      }
      this.pushSegment(this.s.value);
      const last = this.token === T.StringRight;
      this.next();
      if (last) break;
    }
    this.openHoles--;
    return { kind: 'interpolatedString', start, end: this.prevEnd, segments: this.takeSegments(segmentBase), expressions: this.takeItems<Expression>(base) };
  }

  private parseLambdaBody(): Expression {
    this.next();
    // The body may start on the next line, unless that line starts a declaration.
    if (this.token === T.NewLine && !this.declarationKeywordAfterNewLine()) this.skipNewLines();
    return this.parseExpression();
  }

  private declarationKeywordAfterNewLine(): boolean {
    const saved = this.s.save();
    const t = this.s.scan();
    const k = this.s.keyword;
    this.s.restore(saved);
    this.steps++;
    return t === T.Identifier && isDeclarationKeyword(k);
  }

  /** `(args)` of a call. */
  private parseArguments(): Expression[] {
    return this.parseExpressionList();
  }

  /** A parenthesized, comma-separated list; newlines are allowed anywhere inside. */
  private parseExpressionList(): Expression[] {
    this.next();
    this.openParens++;
    const base = this.itemCount;
    let expectItem = true;
    let closed = false;
    for (;;) {
      this.steps++;
      const t = this.token;
      if (t === T.NewLine) { this.next(); continue; }
      if (t === T.RParen) { this.next(); closed = true; break; }
      if (t === T.Comma) {
        if (expectItem) this.unexpected('Expected an expression before \',\'');
        this.next();
        expectItem = true;
        continue;
      }
      if (this.atListEnd() || this.atPropertyOfOpenObject()) break;
      if (STARTS_EXPRESSION[t]) {
        if (!expectItem) this.unexpected('Expected \',\' or \')\'');
        this.pushItem(this.parseExpression());
        expectItem = false;
      } else {
        this.unexpected(expectItem ? 'Expected an expression' : 'Expected \',\' or \')\'');
        this.skipJunk();
      }
    }
    this.openParens--;
    if (!closed) this.missing('Expected \')\'');
    return this.takeItems<Expression>(base);
  }

  private parseParenthesizedOrLambda(): Expression {
    const start = this.ts;
    const items = this.parseExpressionList();
    if (this.token === T.Arrow) {
      const parameters = items.map((item): Identifier | ErrorNode => {
        if (item.kind === 'identifier' || item.kind === 'error') return item;
        this.error(item.start, item.end, 'Expected a parameter name');
        return { kind: 'error', start: item.start, end: item.end };
      });
      const body = this.parseLambdaBody();
      return { kind: 'lambda', start, end: this.prevEnd, parameters, body };
    }
    if (items.length !== 1) this.error(start, this.prevEnd, 'Expected exactly one expression in parentheses');
    const expression: Expression = items.length > 0 ? items[0] : { kind: 'error', start: this.prevEnd, end: this.prevEnd };
    return { kind: 'parenthesized', start, end: this.prevEnd, expression };
  }

  parseObject(resourceBody: boolean): ObjectExpression {
    const start = this.ts;
    this.next();
    this.openBraces++;
    const base = this.itemCount;
    let closed = false;
    for (;;) {
      this.steps++;
      const t = this.token;
      if (t === T.NewLine || t === T.Comma) { this.next(); continue; }
      if (t === T.RBrace) { this.next(); closed = true; break; }
      if (this.atListEnd()) break;
      const member = this.parseObjectMember(resourceBody);
      if (member !== null) {
        this.pushItem(member);
        if (this.atSeparator(T.RBrace)) continue;
        this.unexpected('Expected a new line or \',\'');
      } else {
        this.unexpected('Expected a property name');
      }
      this.skipJunk();
    }
    this.openBraces--;
    if (!closed) this.missing('Expected \'}\'');
    return { kind: 'object', start, end: this.prevEnd, properties: this.takeItems<ObjectMember>(base) };
  }

  private parseObjectMember(resourceBody: boolean): ObjectMember | null {
    const t = this.token;
    const start = this.ts;
    if (t === T.Ellipsis) {
      this.next();
      const expression = this.parseExpression();
      const spread: SpreadExpression = { kind: 'spread', start, end: this.prevEnd, expression };
      return spread;
    }
    if (resourceBody && (t === T.At || (t === T.Identifier && this.kw === K.Resource && this.peek() === T.Identifier))) {
      return this.parseNestedResource();
    }
    let key: string | StringLiteral | InterpolatedString;
    if (t === T.Identifier) {
      key = this.s.identifierText();
      this.next();
    } else if (t === T.StringComplete || t === T.StringLeft) key = this.parseString();
    else return null;
    let value: Expression;
    if (this.token === T.Colon) {
      this.next();
      value = this.parseExpression();
    } else {
      value = this.missing('Expected \':\'');
    }
    return { kind: 'property', start, end: this.prevEnd, key, value };
  }

  private parseNestedResource(): ResourceDeclaration | ErrorNode {
    if (this.depth >= MAX_DEPTH) return this.tooDeep();
    this.depth++;
    const start = this.ts;
    const decorators = this.parseDecorators();
    let result: ResourceDeclaration | ErrorNode;
    if (this.token === T.Identifier && this.kw === K.Resource) {
      result = this.parseResource(start, decorators);
    } else {
      this.missing('Expected a resource declaration after the decorator');
      result = { kind: 'error', start, end: this.prevEnd };
    }
    this.depth--;
    return result;
  }

  private parseArrayOrFor(resourceBody: boolean): ArrayExpression | Expression {
    const start = this.ts;
    this.next();
    this.openSquares++;
    this.skipNewLines();
    let result: Expression;
    if (this.token === T.Identifier && this.kw === K.For) {
      result = this.parseForRest(start, resourceBody);
    } else {
      const base = this.itemCount;
      let closed = false;
      for (;;) {
        this.steps++;
        const t = this.token;
        if (t === T.NewLine || t === T.Comma) { this.next(); continue; }
        if (t === T.RSquare) { this.next(); closed = true; break; }
        if (this.atListEnd() || this.atPropertyOfOpenObject()) break;
        if (t === T.Ellipsis) {
          const spreadStart = this.ts;
          this.next();
          const expression = this.parseExpression();
          this.pushItem({ kind: 'spread', start: spreadStart, end: this.prevEnd, expression });
        } else if (STARTS_EXPRESSION[t]) {
          this.pushItem(this.parseExpression());
        } else {
          this.unexpected('Expected an array item');
          this.skipJunk();
          continue;
        }
        if (this.atSeparator(T.RSquare)) continue;
        this.unexpected('Expected a new line or \',\'');
        this.skipJunk();
      }
      if (!closed) this.missing('Expected \']\'');
      result = { kind: 'array', start, end: this.prevEnd, items: this.takeItems<Expression | SpreadExpression>(base) };
    }
    this.openSquares--;
    return result;
  }

  private parseForRest(start: number, resourceBody: boolean): Expression {
    this.next();
    let item: Identifier | ErrorNode;
    let index: Identifier | ErrorNode | null = null;
    if (this.token === T.Identifier && this.kw !== K.In) {
      item = this.identifier();
    } else if (this.token === T.LParen) {
      this.next();
      this.openParens++;
      item = this.name('a loop item name');
      if (this.token === T.Comma) {
        this.next();
        index = this.name('a loop index name');
      } else {
        index = this.missing('Expected \',\' and an index name');
      }
      this.openParens--;
      this.expectClose(T.RParen, ')');
    } else {
      item = this.missing('Expected a loop item name');
    }
    let iterable: Expression;
    if (this.token === T.Identifier && this.kw === K.In) {
      this.next();
      iterable = this.parseExpression();
    } else {
      iterable = this.missing('Expected \'in\'');
    }
    let body: Expression;
    if (this.token === T.Colon) {
      this.next();
      if (this.token === T.Identifier && this.kw === K.If) body = this.parseIf(resourceBody);
      else if (resourceBody && this.token === T.LBrace) body = this.parseObject(true);
      else body = this.parseExpression();
    } else {
      body = this.missing('Expected \':\'');
    }
    let closed = false;
    for (;;) {
      this.steps++;
      const t = this.token;
      if (t === T.NewLine) { this.next(); continue; }
      if (t === T.RSquare) { this.next(); closed = true; break; }
      if (this.atListEnd()) break;
      this.unexpected('Expected \']\'');
      if (t === T.Comma) this.next();
      else this.skipJunk();
    }
    if (!closed) this.missing('Expected \']\'');
    return { kind: 'for', start, end: this.prevEnd, item, index, iterable, body };
  }

  private parseIf(resourceBody: boolean): Expression {
    const start = this.ts;
    this.next();
    let condition: Expression;
    if (this.token === T.LParen) {
      this.next();
      this.openParens++;
      this.skipNewLines();
      condition = this.parseExpression();
      this.skipNewLines();
      if (this.token !== T.RParen && !this.atListEnd()) {
        this.unexpected('Expected \')\'');
        this.skipJunk();
      }
      this.openParens--;
      this.expectClose(T.RParen, ')');
    } else {
      condition = this.missing('Expected \'(\'');
    }
    const body: Expression = this.token === T.LBrace ? this.parseObject(resourceBody) : this.missing('Expected \'{\'');
    return { kind: 'if', start, end: this.prevEnd, condition, body };
  }

  // ---- types -------------------------------------------------------------------------------

  /** A param or output type: a type expression, or `resource 'type@version'` (bare `resource` for outputs). */
  private parseTypeOrResourceType(allowBareResource: boolean): TypeExpression {
    if (this.token === T.Identifier && this.kw === K.Resource && this.peek() !== T.Lt) {
      const start = this.ts;
      this.next();
      const type = this.token === T.StringComplete || this.token === T.StringLeft ? this.parseString()
        : allowBareResource ? null : this.missing('Expected a resource type string');
      return { kind: 'resourceType', start, end: this.prevEnd, type };
    }
    return this.parseType();
  }

  private atUnionSeparator(): boolean {
    if (this.token === T.Pipe) return true;
    return this.token === T.NewLine && this.charAfterNewLine() === 124 && this.charAfterNewLine(1) !== 124;
  }

  parseType(): TypeExpression {
    if (this.depth >= MAX_DEPTH) return this.tooDeep();
    this.depth++;
    this.steps++;
    const start = this.ts;
    let leadingPipe = false;
    if (this.atUnionSeparator()) {
      this.skipNewLines();
      this.next();
      leadingPipe = true;
    }
    const first = this.parseUnaryType();
    let result = first;
    if (leadingPipe || this.atUnionSeparator()) {
      const members = [first];
      while (this.atUnionSeparator()) {
        this.skipNewLines();
        this.next();
        members.push(this.token === T.NewLine || this.token === T.EOF ? this.missing('Expected a type') : this.parseUnaryType());
      }
      result = { kind: 'unionType', start, end: this.prevEnd, members };
    }
    this.depth--;
    return result;
  }

  private parseUnaryType(): TypeExpression {
    let e: TypeExpression;
    const t = this.token;
    if (t === T.Minus || t === T.Bang || t === T.Plus) {
      const start = this.ts;
      const operator = t === T.Minus ? '-' : t === T.Bang ? '!' : '+';
      this.next();
      // In a type the operand is a literal (`-1`); anything else is kept but is not a valid type.
      const operand = this.parsePrimaryType();
      e = { kind: 'unary', start, end: this.prevEnd, operator, operand: operand as Expression };
    } else {
      e = this.parsePrimaryType();
    }
    let links = this.depth;
    for (;;) {
      const linkStart = this.ts;
      let next: TypeExpression;
      switch (this.token) {
        case T.LSquare:
          this.next();
          if (this.token === T.RSquare) {
            this.next();
            next = { kind: 'arrayType', start: e.start, end: this.prevEnd, item: e };
          } else if (this.token === T.Star) {
            this.next();
            this.expectClose(T.RSquare, ']');
            next = { kind: 'typeItemsAccess', start: e.start, end: this.prevEnd, object: e };
          } else {
            this.openSquares++;
            const index = this.parseExpression();
            this.openSquares--;
            this.expectClose(T.RSquare, ']');
            next = { kind: 'typeIndexAccess', start: e.start, end: this.prevEnd, object: e, index };
          }
          break;
        case T.Dot:
          this.next();
          if (this.token === T.Star) {
            this.next();
            next = { kind: 'typeAdditionalPropertiesAccess', start: e.start, end: this.prevEnd, object: e };
          } else if (this.token === T.Identifier) {
            const name = this.identifier();
            next = this.token === T.Lt ? this.parseTypeArguments(e, name)
              : { kind: 'typePropertyAccess', start: e.start, end: this.prevEnd, object: e, name };
          } else {
            next = { kind: 'typePropertyAccess', start: e.start, end: this.prevEnd, object: e, name: this.missing('Expected a property name') };
          }
          break;
        case T.Question:
          this.next();
          next = { kind: 'nullableType', start: e.start, end: this.prevEnd, type: e };
          break;
        case T.Bang:
          this.next();
          next = { kind: 'nonNullableType', start: e.start, end: this.prevEnd, type: e };
          break;
        default:
          return e;
      }
      if (++links < MAX_DEPTH) e = next;
      else if (links === MAX_DEPTH) this.chainTooDeep(linkStart);
    }
  }

  private parsePrimaryType(): TypeExpression {
    const start = this.ts;
    switch (this.token) {
      case T.Identifier: {
        const name = this.identifier();
        return this.token === T.Lt ? this.parseTypeArguments(null, name) : name;
      }
      case T.StringComplete: case T.StringLeft: return this.parseString();
      case T.LBrace: return this.parseObjectType();
      case T.LSquare: return this.parseTupleType();
      case T.LParen: {
        this.next();
        this.openParens++;
        this.skipNewLines();
        const type = this.parseType();
        this.skipNewLines();
        this.openParens--;
        this.expectClose(T.RParen, ')');
        return { kind: 'parenthesizedType', start, end: this.prevEnd, type };
      }
      case T.Integer: case T.True: case T.False: case T.Null:
        return this.parsePrimary() as TypeExpression;
    }
    return this.missing('Expected a type');
  }

  /** `name<args>`; the current token is `<`. */
  private parseTypeArguments(target: TypeExpression | null, name: Identifier): TypeExpression {
    this.next();
    const args: TypeExpression[] = [];
    let closed = false;
    for (;;) {
      this.steps++;
      const t = this.token;
      if (t === T.Gt) { this.next(); closed = true; break; }
      if (t === T.Comma || t === T.NewLine) { this.next(); continue; }
      if (this.atListEnd()) break;
      if (STARTS_EXPRESSION[t]) {
        args.push(this.parseType());
      } else {
        this.unexpected('Expected a type argument');
        this.next();
      }
    }
    if (!closed) this.missing('Expected \'>\'');
    return { kind: 'parameterizedType', start: target === null ? name.start : target.start, end: this.prevEnd, target, name, arguments: args };
  }

  private parseObjectType(): ObjectType {
    const start = this.ts;
    this.next();
    this.openBraces++;
    this.openTypeLiterals++;
    const base = this.itemCount;
    let closed = false;
    for (;;) {
      this.steps++;
      const t = this.token;
      if (t === T.NewLine || t === T.Comma) { this.next(); continue; }
      if (t === T.RBrace) { this.next(); closed = true; break; }
      if (this.atListEnd()) break;
      const propertyStart = this.ts;
      const decorators = this.parseDecorators();
      if (decorators.length > 0 && this.atStrayDeclaration()) {
        // The type was never closed; these decorators are lost with it (reported as the missing '}').
        this.pushItem({ kind: 'error', start: propertyStart, end: this.prevEnd });
        break;
      }
      let key: Identifier | StringLiteral | InterpolatedString | ErrorNode | null;
      if (this.token === T.Identifier) key = this.identifier();
      else if (this.token === T.StringComplete || this.token === T.StringLeft) key = this.parseString();
      else if (this.token === T.Star) { key = null; this.next(); }
      else if (decorators.length > 0) key = this.missing('Expected a property name');
      else {
        this.unexpected('Expected a property name');
        this.skipJunk();
        continue;
      }
      let value: TypeExpression;
      if (this.token === T.Colon) {
        this.next();
        value = this.token === T.NewLine || this.token === T.EOF ? this.missing('Expected a type') : this.parseType();
      } else {
        value = this.missing('Expected \':\'');
      }
      this.pushItem({ kind: 'objectTypeProperty', start: propertyStart, end: this.prevEnd, decorators, key, value });
      if (this.atSeparator(T.RBrace)) continue;
      this.unexpected('Expected a new line or \',\'');
      this.skipJunk();
    }
    this.openBraces--;
    this.openTypeLiterals--;
    if (!closed) this.missing('Expected \'}\'');
    return { kind: 'objectType', start, end: this.prevEnd, properties: this.takeItems<ObjectTypeProperty | ErrorNode>(base) };
  }

  private parseTupleType(): TupleType {
    const start = this.ts;
    this.next();
    this.openSquares++;
    this.openTypeLiterals++;
    const base = this.itemCount;
    let closed = false;
    for (;;) {
      this.steps++;
      const t = this.token;
      if (t === T.NewLine || t === T.Comma) { this.next(); continue; }
      if (t === T.RSquare) { this.next(); closed = true; break; }
      if (this.atListEnd()) break;
      const itemStart = this.ts;
      const decorators = this.parseDecorators();
      if (decorators.length > 0 && this.atStrayDeclaration()) break;
      if (!STARTS_EXPRESSION[this.token] && decorators.length === 0) {
        this.unexpected('Expected a type');
        this.skipJunk();
        continue;
      }
      const value = this.parseType();
      this.pushItem({ kind: 'tupleTypeItem', start: itemStart, end: this.prevEnd, decorators, value });
      if (this.atSeparator(T.RSquare)) continue;
      this.unexpected('Expected a new line or \',\'');
      this.skipJunk();
    }
    this.openSquares--;
    this.openTypeLiterals--;
    if (!closed) this.missing('Expected \']\'');
    return { kind: 'tupleType', start, end: this.prevEnd, items: this.takeItems<TupleTypeItem>(base) };
  }
}

function compareDiagnostics(a: ParseDiagnostic, b: ParseDiagnostic): number {
  return a.start - b.start || a.end - b.end || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

/** How the diagnostic of a parse cut short begins. */
const STOPPED = 'The parser stopped here:';

/**
 * Runs the statement loop. The parser has no known way to fail, but "never throws" is part of its
 * contract: an exhausted step budget, a stack overflow or a bug becomes a diagnostic, and the
 * statements read so far are kept. (Tests fail on that diagnostic, so bugs do not hide.)
 */
function runStatements(parser: Parser, out: Statement[], resync: ((start: number) => boolean) | null): boolean {
  try {
    parser.begin();
    parser.parseStatements(out, resync);
    return true;
  } catch (e) {
    const reason = e instanceof StepBudgetExceeded || e instanceof RangeError ? 'the input is too complex to read' : `internal error: ${String(e)}`;
    parser.diagnostics.push({ start: Math.min(parser.ts, parser.text.length), end: parser.text.length, message: `${STOPPED} ${reason}` });
    return false;
  }
}

/** Parses a `.bicep` file (or a `.bicepparam` file with `paramFile`). Never throws. */
export function parseBicep(text: string, options: ParseOptions = {}): BicepFile {
  const paramFile = options.paramFile === true;
  const comments: Comment[] = [];
  const diagnostics: ParseDiagnostic[] = [];
  const parser = new Parser(text, 0, paramFile, comments, diagnostics);
  const statements: Statement[] = [];
  runStatements(parser, statements, null);
  diagnostics.sort(compareDiagnostics);
  if (options.stats) {
    options.stats.steps = parser.steps;
    options.stats.scans = parser.s.scans;
  }
  return { kind: paramFile ? 'bicepparam' : 'bicep', text, statements, diagnostics, comments };
}

/** Parses a `.bicepparam` file. */
export function parseBicepParam(text: string, options: ParseOptions = {}): BicepFile {
  return parseBicep(text, { ...options, paramFile: true });
}

/**
 * Re-parses after one edit, reusing the top-level statements the edit cannot affect; the result
 * equals `parseBicep(text)`. `text` must be `previous.text` with `edit` applied (a mismatch that
 * is cheap to see falls back to a full parse). `previous` is consumed: its statements after the
 * edit are reused with their offsets shifted in place, so do not use `previous` afterwards.
 */
export function reparseBicep(previous: BicepFile, text: string, edit: TextEdit, options: ParseOptions = {}): BicepFile {
  const paramFile = previous.kind === 'bicepparam';
  const full = (): BicepFile => parseBicep(text, { ...options, paramFile });
  const oldText = previous.text;
  const { start: editStart, end: editEnd, newText } = edit;
  if (!(editStart >= 0 && editStart <= editEnd && editEnd <= oldText.length)
    || text.length !== oldText.length - (editEnd - editStart) + newText.length
    || !text.startsWith(newText, editStart)) {
    return full();
  }
  const old = previous.statements;
  const n = old.length;
  // A parse cut short has no statements after the cut to reuse.
  if (n === 0 || previous.diagnostics.some((d) => d.message.startsWith(STOPPED))) return full();
  const delta = newText.length - (editEnd - editStart);
  const newEditEnd = editStart + newText.length;

  // The first statement the edit may touch; the parser looks at most two tokens past a statement,
  // which lie in the next two statements, so re-parsing starts two statements earlier.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (old[mid].end < editStart) lo = mid + 1;
    else hi = mid;
  }
  const first = Math.max(0, lo - 2);
  const restart = first < lo ? old[first].start : 0;

  const comments: Comment[] = [];
  const diagnostics: ParseDiagnostic[] = [];
  const parser = new Parser(text, restart, paramFile, comments, diagnostics);
  let rejoin = -1;
  const resync = (start: number): boolean => {
    if (start < newEditEnd) return false;
    const oldStart = start - delta;
    if (oldStart < editEnd) return false;
    let a = first;
    let b = n;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (old[mid].start < oldStart) a = mid + 1;
      else b = mid;
    }
    if (a < n && old[a].start === oldStart) {
      rejoin = a;
      return true;
    }
    return false;
  };
  const middle: Statement[] = [];
  if (!runStatements(parser, middle, resync)) return full();

  const statements = old.slice(0, first);
  for (const s of middle) statements.push(s);
  const newComments = previous.comments.filter((c) => c.start < restart);
  const newDiagnostics = previous.diagnostics.filter((d) => d.start < restart);
  if (rejoin < 0) {
    for (const c of comments) newComments.push(c);
    for (const d of diagnostics) newDiagnostics.push(d);
  } else {
    const oldRejoin = old[rejoin].start;
    const newRejoin = oldRejoin + delta;
    for (const c of comments) if (c.start < newRejoin) newComments.push(c);
    for (const d of diagnostics) if (d.start < newRejoin) newDiagnostics.push(d);
    for (let i = rejoin; i < n; i++) {
      const s = old[i];
      if (delta !== 0) shiftNode(s, delta);
      statements.push(s);
    }
    for (const c of previous.comments) {
      if (c.start >= oldRejoin) {
        c.start += delta;
        c.end += delta;
        newComments.push(c);
      }
    }
    for (const d of previous.diagnostics) {
      if (d.start >= oldRejoin) {
        d.start += delta;
        d.end += delta;
        newDiagnostics.push(d);
      }
    }
  }
  newDiagnostics.sort(compareDiagnostics);
  if (options.stats) {
    options.stats.steps = parser.steps;
    options.stats.scans = parser.s.scans;
  }
  return { kind: previous.kind, text, statements, diagnostics: newDiagnostics, comments: newComments };
}
