/**
 * The ARM template expression language: `"[concat('Storage.', parameters('location'))]"`.
 * A hand-written recursive-descent parser (no npm package parses it well) that never throws and
 * records offsets, so that readers can point at the part of a string that is wrong.
 */

interface NodeBase {
  /** Offset of the node's first character within the whole template string (the `[` is 0). */
  readonly start: number;
  /** Offset just past the node's last character. */
  readonly end: number;
}

/** `'text'`, with `''` standing for one quote. */
export interface StringLiteral extends NodeBase {
  readonly kind: 'string';
  readonly value: string;
}

/** `42` or `-1`. The language has no decimal literals (templates write `json('1.5')`). */
export interface IntegerLiteral extends NodeBase {
  readonly kind: 'integer';
  readonly value: number;
}

/** `name(args)`, or a user-defined function `namespace.name(args)`. */
export interface FunctionCall extends NodeBase {
  readonly kind: 'call';
  readonly namespace?: string;
  readonly name: string;
  readonly args: readonly ArmExpression[];
}

/** `target.name`. */
export interface PropertyAccess extends NodeBase {
  readonly kind: 'property';
  readonly target: ArmExpression;
  readonly name: string;
}

/** `target[index]`. */
export interface IndexAccess extends NodeBase {
  readonly kind: 'index';
  readonly target: ArmExpression;
  readonly index: ArmExpression;
}

/** A node of a parsed template expression. */
export type ArmExpression = StringLiteral | IntegerLiteral | FunctionCall | PropertyAccess | IndexAccess;

/** The outcome of parsing: the tree, or the first error and where it is. */
export type ParseResult =
  | { readonly ok: true; readonly expr: ArmExpression }
  | { readonly ok: false; readonly error: string; readonly offset: number };

/** Deeper nesting is refused, so that neither the parser nor the evaluator can exhaust the stack. */
export const MAX_EXPRESSION_NESTING = 100;

/** Whether a template string is an expression: `[...]`, but not the `[[...]` escape. */
export function isTemplateExpression(text: string): boolean {
  return text.length >= 2 && text.charCodeAt(0) === 0x5b && text.charCodeAt(1) !== 0x5b
    && text.charCodeAt(text.length - 1) === 0x5d;
}

/** The value of a template string that is not an expression: `[[x]` stands for `[x]`. */
export function unescapeTemplateLiteral(text: string): string {
  return text.length >= 2 && text.startsWith('[[') && text.endsWith(']') ? text.slice(1) : text;
}

/** Parses a whole template string such as `[concat('a', 'b')]`; never throws. */
export function parseExpression(text: string): ParseResult {
  return parseExpressionIn(text, 0, text.length);
}

/**
 * Parses the template string `source.slice(from, to)` as `parseExpression` would, offsets
 * included, but reading `source` itself: a slice of a larger text reads more slowly, character
 * by character, than the text it is cut from.
 */
export function parseExpressionIn(source: string, from: number, to: number): ParseResult {
  if (!(to - from >= 2 && source.charCodeAt(from) === 0x5b && source.charCodeAt(from + 1) !== 0x5b && source.charCodeAt(to - 1) === 0x5d)) {
    return { ok: false, error: "an expression starts with '[' and ends with ']'", offset: 0 };
  }
  const parser = new Parser(source, from, to);
  try {
    const expr = parser.parseExpression(0);
    parser.skipWhitespace();
    if (parser.pos < parser.end) parser.fail(`unexpected ${describeChar(source, parser.pos)} after the expression`, parser.pos);
    return { ok: true, expr };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.message, offset: e.offset };
    // Only a defect could get here; report it as a parse error rather than throw.
    return { ok: false, error: `internal parser error: ${String(e)}`, offset: parser.pos - from };
  }
}

/** Prints a tree back as a template string (`[...]`) that parses to the same tree. */
export function printExpression(expr: ArmExpression): string {
  return `[${printNode(expr)}]`;
}

/** Prints a tree without the surrounding brackets, as it would appear inside another expression. */
export function printNode(expr: ArmExpression): string {
  switch (expr.kind) {
    case 'string': return `'${expr.value.replace(/'/g, "''")}'`;
    case 'integer': return String(expr.value);
    case 'call': return `${expr.namespace !== undefined ? `${expr.namespace}.` : ''}${expr.name}(${expr.args.map(printNode).join(', ')})`;
    case 'property': return `${printNode(expr.target)}.${expr.name}`;
    case 'index': return `${printNode(expr.target)}[${printNode(expr.index)}]`;
  }
}

class ParseError {
  constructor(readonly message: string, readonly offset: number) {}
}

function describeChar(text: string, pos: number): string {
  const c = text[pos];
  return c === undefined ? 'end of expression' : `'${c}'`;
}

function isIdentStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** ASCII letters, digits and `_`, by character code: one look-up per character of a name, not up to seven comparisons. */
const IDENT_PART = new Uint8Array(128);
for (let c = 0; c < 128; c++) IDENT_PART[c] = isIdentStart(c) || isDigit(c) ? 1 : 0;

function isIdentPart(c: number): boolean {
  return c < 128 && IDENT_PART[c] === 1;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Reads `text` from `base` (the `[`); offsets in nodes and errors are relative to `base`. */
class Parser {
  pos: number;
  /** Whether the argument `parseArgument` read last ended its call (a `)`, not a `,`). */
  private closed = false;
  /** The closing `]` of the template string; nothing at or after it belongs to the expression. */
  readonly end: number;

  constructor(private readonly text: string, private readonly base: number, to: number) {
    this.pos = base + 1;
    this.end = to - 1;
  }

  /** `offset` is a position in `text`. */
  fail(message: string, offset: number): never {
    throw new ParseError(message, offset - this.base);
  }

  /** Skips whitespace; the character after it, as `peek` gives it. */
  skipWhitespace(): number {
    // In locals: the loops over characters are most of the parser's time.
    const text = this.text;
    const end = this.end;
    let pos = this.pos;
    let c = pos < end ? text.charCodeAt(pos) : -1;
    while (isWhitespace(c)) c = ++pos < end ? text.charCodeAt(pos) : -1;
    this.pos = pos;
    return c;
  }

  private peek(): number {
    return this.pos < this.end ? this.text.charCodeAt(this.pos) : -1;
  }

  parseExpression(depth: number): ArmExpression {
    if (depth > MAX_EXPRESSION_NESTING) this.fail(`expression nested more than ${MAX_EXPRESSION_NESTING} levels deep`, this.pos);
    let expr = this.parsePrimary(depth, this.skipWhitespace());
    // Each '.name' or '[i]' nests the tree one level more, so a long chain counts as nesting too.
    for (let level = depth + 1; ; level++) {
      const c = this.skipWhitespace();
      if ((c === 0x2e || c === 0x5b) && level > MAX_EXPRESSION_NESTING) {
        this.fail(`expression nested more than ${MAX_EXPRESSION_NESTING} levels deep`, this.pos);
      }
      if (c === 0x2e) { // '.'
        this.pos++;
        this.skipWhitespace();
        const nameStart = this.pos;
        if (isDigit(this.peek())) this.fail('decimal numbers are not allowed in expressions; write json(\'1.5\')', nameStart);
        const name = this.parseIdentifier('a property name after \'.\'');
        expr = { kind: 'property', target: expr, name, start: expr.start, end: this.pos - this.base };
      } else if (c === 0x5b) { // '['
        const open = this.pos;
        this.pos++;
        const index = this.parseExpression(level);
        if (this.skipWhitespace() !== 0x5d) this.fail(`expected ']' to close the '[' at ${open - this.base}, found ${describeChar(this.text, this.pos)}`, this.pos);
        this.pos++;
        expr = { kind: 'index', target: expr, index, start: expr.start, end: this.pos - this.base };
      } else {
        return expr;
      }
    }
  }

  /** `c` is the character at `pos`, as `peek` gives it. */
  private parsePrimary(depth: number, c: number): ArmExpression {
    const start = this.pos;
    if (c === 0x27) return this.parseString();
    if (isDigit(c) || (c === 0x2d && isDigit(this.pos + 1 < this.end ? this.text.charCodeAt(this.pos + 1) : -1))) {
      return this.parseInteger();
    }
    if (isIdentStart(c)) {
      const first = this.parseIdentifier('a function name');
      let namespace: string | undefined;
      let name = first;
      if (this.skipWhitespace() === 0x2e) {
        // A name followed by '.' can only be a user-defined function's namespace: bare names are not values.
        this.pos++;
        this.skipWhitespace();
        namespace = first;
        name = this.parseIdentifier(`a function name after '${first}.'`);
        this.skipWhitespace();
      }
      if (this.peek() !== 0x28) {
        const written = namespace !== undefined ? `${namespace}.${name}` : name;
        this.fail(`expected '(' after '${written}': names are only functions (write true(), false() or null() for those values)`, this.pos);
      }
      this.pos++;
      const callStart = start - this.base;
      const args = this.parseArguments(depth, callStart);
      const call: FunctionCall = namespace !== undefined
        ? { kind: 'call', namespace, name, args, start: callStart, end: this.pos - this.base }
        : { kind: 'call', name, args, start: callStart, end: this.pos - this.base };
      return call;
    }
    if (c === -1) this.fail('expected an expression, found the end of it', this.pos);
    return this.fail(`expected a function call, a string or an integer, found ${describeChar(this.text, this.pos)}`, this.pos);
  }

  /** `callStart` is relative to `base`, as in messages. */
  private parseArguments(depth: number, callStart: number): ArmExpression[] {
    if (this.skipWhitespace() === 0x29) {
      this.pos++;
      return [];
    }
    // Up to three arguments (nearly every call) become a list literal of their exact length:
    // parsed expressions are cached for a whole read, and a list grown by push keeps room for 17.
    const a = this.parseArgument(depth, callStart);
    if (this.closed) return [a];
    const b = this.parseArgument(depth, callStart);
    if (this.closed) return [a, b];
    const c = this.parseArgument(depth, callStart);
    if (this.closed) return [a, b, c];
    const args = [a, b, c];
    do args.push(this.parseArgument(depth, callStart));
    while (!this.closed);
    return args.slice();
  }

  /** One argument and the `,` or `)` after it; `closed` tells which. */
  private parseArgument(depth: number, callStart: number): ArmExpression {
    const expr = this.parseExpression(depth + 1);
    const c = this.skipWhitespace();
    if (c === 0x2c) {
      this.pos++;
      if (this.skipWhitespace() === 0x29) this.fail("expected an argument after ','", this.pos);
      this.closed = false;
      return expr;
    }
    if (c === 0x29) {
      this.pos++;
      this.closed = true;
      return expr;
    }
    if (c === -1) this.fail(`expected ')' to close the call at ${callStart}`, this.pos);
    return this.fail(`expected ',' or ')' in the arguments of the call at ${callStart}, found ${describeChar(this.text, this.pos)}`, this.pos);
  }

  private parseIdentifier(what: string): string {
    const start = this.pos;
    if (!isIdentStart(this.peek())) this.fail(`expected ${what}, found ${describeChar(this.text, this.pos)}`, this.pos);
    const text = this.text;
    const end = this.end;
    let pos = start + 1;
    while (pos < end && isIdentPart(text.charCodeAt(pos))) pos++;
    this.pos = pos;
    return text.slice(start, pos);
  }

  private parseString(): StringLiteral {
    const start = this.pos;
    this.pos++;
    let value = '';
    for (;;) {
      // The next quote ends the string, unless it is doubled.
      const quote = this.text.indexOf("'", this.pos);
      if (quote < 0 || quote >= this.end) this.fail('string not closed: a quote inside a string is written \'\'', start);
      value += this.text.slice(this.pos, quote);
      if (quote + 1 < this.end && this.text.charCodeAt(quote + 1) === 0x27) {
        value += "'";
        this.pos = quote + 2;
        continue;
      }
      this.pos = quote + 1;
      return { kind: 'string', value, start: start - this.base, end: this.pos - this.base };
    }
  }

  private parseInteger(): IntegerLiteral {
    const start = this.pos;
    if (this.peek() === 0x2d) this.pos++;
    while (isDigit(this.peek())) this.pos++;
    if (this.peek() === 0x2e && isDigit(this.pos + 1 < this.end ? this.text.charCodeAt(this.pos + 1) : -1)) {
      this.fail("decimal numbers are not allowed in expressions; write json('1.5')", start);
    }
    const value = Number(this.text.slice(start, this.pos));
    // Beyond 2^53 a JavaScript number would silently change the value; refuse instead of guessing.
    if (!Number.isSafeInteger(value)) this.fail(`integer ${this.text.slice(start, this.pos)} is too large to evaluate exactly`, start);
    return { kind: 'integer', value: value === 0 ? 0 : value, start: start - this.base, end: this.pos - this.base };
  }
}
