import * as assert from 'node:assert/strict';
import { K, Scanner, T, tokenize } from '../../../src/core/bicep/lexer';
import type { Comment, ParseDiagnostic } from '../../../src/core/bicep/syntax';

function kinds(text: string): T[] {
  return tokenize(text).map((t) => t.kind);
}

function lex(text: string): { tokens: ReturnType<typeof tokenize>; comments: Comment[]; diagnostics: ParseDiagnostic[] } {
  const comments: Comment[] = [];
  const diagnostics: ParseDiagnostic[] = [];
  const s = new Scanner(text, 0, comments, diagnostics);
  const tokens: ReturnType<typeof tokenize> = [];
  for (;;) {
    const kind = s.scan();
    tokens.push({ kind, start: s.start, end: s.end, keyword: s.keyword, value: s.value });
    if (kind === T.EOF) return { tokens, comments, diagnostics };
  }
}

describe('bicep lexer', () => {
  it('scans operators, longest match first', () => {
    assert.deepEqual(kinds('?? ? :: : ... . != !~ ! == =~ => = <= < >= > && || | + - * / % ^ @ , ;'), [
      T.QuestionQuestion, T.Question, T.ColonColon, T.Colon, T.Ellipsis, T.Dot, T.NotEq, T.NotTilde, T.Bang,
      T.EqEq, T.EqTilde, T.Arrow, T.Assign, T.Le, T.Lt, T.Ge, T.Gt, T.AndAnd, T.OrOr, T.Pipe, T.Plus, T.Minus,
      T.Star, T.Slash, T.Percent, T.Hat, T.At, T.Comma, T.Semicolon, T.EOF,
    ]);
  });

  it('tells keywords from identifiers, and true/false/null are their own tokens', () => {
    const tokens = tokenize('resource resources param existing true null none for in if targetScope extensionConfig x_1');
    assert.deepEqual(tokens.map((t) => t.keyword), [K.Resource, K.None, K.Param, K.Existing, K.None, K.None, K.NoneKeyword,
      K.For, K.In, K.If, K.TargetScope, K.ExtensionConfig, K.None, K.None]);
    assert.equal(tokens[4].kind, T.True);
    assert.equal(tokens[5].kind, T.Null);
    assert.equal(tokens[12].kind, T.Identifier);
  });

  it('makes one newline token of a run of blank lines and comments, and records the comments', () => {
    const text = 'a\n\n  // note\r\n\n/* block\nspans */\nb';
    const { tokens, comments } = lex(text);
    assert.deepEqual(tokens.map((t) => t.kind), [T.Identifier, T.NewLine, T.Identifier, T.EOF]);
    assert.equal(tokens[1].start, 1);
    assert.deepEqual(comments.map((c) => [text.slice(c.start, c.end), c.kind]), [['// note', 'line'], ['/* block\nspans */', 'block']]);
  });

  it('steps over indentation of spaces and tabs, and the comments and directives after it', () => {
    const text = 'a\n    \t  b\n  \t// c\n\t  #disable-next-line x\n  d  \n';
    const { tokens, comments } = lex(text);
    assert.deepEqual(tokens.map((t) => t.kind), [T.Identifier, T.NewLine, T.Identifier, T.NewLine, T.Identifier, T.NewLine, T.EOF]);
    assert.deepEqual(tokens.map((t) => text.slice(t.start, t.end)), ['a', '\n', 'b', '\n  \t// c\n\t  #disable-next-line x\n', 'd', '\n', '']);
    assert.deepEqual(comments.map((c) => [text.slice(c.start, c.end), c.kind]), [['// c', 'line'], ['#disable-next-line x', 'directive']]);
  });

  it('tells name, nulls and none apart', () => {
    const tokens = tokenize('name null none nuln noun nam');
    assert.deepEqual(tokens.map((t) => t.kind), [T.Identifier, T.Null, T.Identifier, T.Identifier, T.Identifier, T.Identifier, T.EOF]);
    assert.deepEqual(tokens.map((t) => t.keyword), [K.None, K.None, K.NoneKeyword, K.None, K.None, K.None, K.None]);
  });

  it('keeps a block comment on one line as trivia, not a newline', () => {
    assert.deepEqual(kinds('a /* x */ b // y'), [T.Identifier, T.Identifier, T.EOF]);
  });

  it('reads #disable-next-line only at the start of a line', () => {
    const text = '  #disable-next-line BCP081 no-unused-params  \nvar a = 1 #disable-next-line x';
    const { comments, diagnostics } = lex(text);
    assert.equal(comments.length, 1);
    assert.equal(comments[0].kind, 'directive');
    assert.equal(text.slice(comments[0].start, comments[0].end), '#disable-next-line BCP081 no-unused-params');
    assert.equal(diagnostics.length, 1, 'the # after code is an unexpected character');
  });

  it('splits an interpolated string into pieces with decoded values', () => {
    const tokens = tokenize('\'Storage.${location}-${a[0]}\'');
    assert.deepEqual(tokens.map((t) => t.kind), [T.StringLeft, T.Identifier, T.StringMiddle, T.Identifier, T.LSquare, T.Integer,
      T.RSquare, T.StringRight, T.EOF]);
    assert.deepEqual([tokens[0].value, tokens[2].value, tokens[7].value], ['Storage.', '-', '']);
  });

  it('matches braces of objects inside interpolation holes', () => {
    const tokens = tokenize('\'${ {a: 1}.a }x\'');
    assert.deepEqual(tokens.map((t) => t.kind), [T.StringLeft, T.LBrace, T.Identifier, T.Colon, T.Integer, T.RBrace, T.Dot,
      T.Identifier, T.StringRight, T.EOF]);
    assert.equal(tokens[8].value, 'x');
  });

  it('decodes escapes', () => {
    const [t] = tokenize('\'a\\\'b\\\\c\\nd\\re\\tf\\$g\\${h}\\u{41}\\u{1F600}\'');
    assert.equal(t.kind, T.StringComplete);
    assert.equal(t.value, 'a\'b\\c\nd\re\tf$g${h}A\u{1F600}');
  });

  it('reports bad escapes and keeps their text', () => {
    const { tokens, diagnostics } = lex('\'a\\qb\\u{zz}\'');
    assert.equal(tokens[0].value, 'a\\qb\\u{zz}');
    assert.equal(diagnostics.length, 2);
  });

  it('stops an unterminated string at the end of the line', () => {
    const { tokens, diagnostics } = lex('\'abc\nx');
    assert.deepEqual(tokens.map((t) => t.kind), [T.StringComplete, T.NewLine, T.Identifier, T.EOF]);
    assert.equal(tokens[0].value, 'abc');
    assert.match(diagnostics[0].message, /Unterminated string/);
  });

  it('closes an interpolation left open at the end of the line', () => {
    const { tokens, diagnostics } = lex('\'a${b\nc');
    assert.deepEqual(tokens.map((t) => t.kind), [T.StringLeft, T.Identifier, T.StringRight, T.NewLine, T.Identifier, T.EOF]);
    assert.equal(tokens[2].start, tokens[2].end, 'zero-width closing piece');
    assert.equal(tokens[2].value, '');
    assert.equal(diagnostics.length, 1);
  });

  it('reads multi-line strings verbatim, dropping the first newline', () => {
    const [t] = tokenize('\'\'\'\r\nline 1\n  \'q\' ${x} \\n\n\'\'\'');
    assert.equal(t.kind, T.StringComplete);
    assert.equal(t.value, 'line 1\n  \'q\' ${x} \\n\n');
    const [u] = tokenize('\'\'\'\'a\'\'\'\'');
    assert.equal(u.value, '\'a\'', 'extra quotes before the closing three are content');
  });

  it('reads interpolated multi-line strings ($\'\'\'...${x}...\'\'\')', () => {
    const tokens = tokenize('$\'\'\'\na ${x} b $${y}\'\'\'');
    assert.deepEqual(tokens.map((t) => t.kind), [T.StringLeft, T.Identifier, T.StringMiddle, T.Identifier, T.StringRight, T.EOF]);
    assert.deepEqual([tokens[0].value, tokens[2].value, tokens[4].value], ['a ', ' b $', '']);
    const two = tokenize('$$\'\'\'${notHole} $${hole}\'\'\'');
    assert.equal(two[0].value, '${notHole} ');
  });

  it('reports an unterminated multi-line string and an unterminated comment', () => {
    assert.match(lex('\'\'\'abc').diagnostics[0].message, /multi-line/);
    assert.match(lex('/* abc').diagnostics[0].message, /comment/);
  });

  it('reports unexpected characters without splitting surrogate pairs', () => {
    const { tokens, diagnostics } = lex('a "b" \u{1F600} & $');
    assert.deepEqual(tokens.map((t) => t.kind), [T.Identifier, T.Unrecognized, T.Identifier, T.Unrecognized, T.Unrecognized,
      T.Unrecognized, T.Unrecognized, T.EOF]);
    assert.equal(tokens[4].end - tokens[4].start, 2);
    assert.match(diagnostics[0].message, /single quotes/);
  });

  it('restores comments and diagnostics after lookahead', () => {
    const comments: Comment[] = [];
    const diagnostics: ParseDiagnostic[] = [];
    const s = new Scanner('a // c\n"b"', 0, comments, diagnostics);
    s.scan();
    const saved = s.save();
    s.scan();
    s.scan();
    assert.equal(comments.length, 1);
    assert.equal(diagnostics.length, 1);
    s.restore(saved);
    assert.equal(comments.length, 0);
    assert.equal(diagnostics.length, 0);
    assert.equal(s.scan(), T.NewLine);
  });

  it('lookahead does not disturb the current identifier', () => {
    const s = new Scanner('param name', 0, [], []);
    s.scan();
    const saved = s.save();
    s.scan();
    assert.equal(s.identifierText(), 'name');
    s.restore(saved);
    assert.equal(s.identifierText(), 'param');
    s.scan();
    assert.equal(s.identifierText(), 'name');
  });

  it('interns short names and values', () => {
    const s = new Scanner('name name \'Inbound\' \'Inbound\'', 0, [], []);
    s.scan();
    const a = s.identifierText();
    s.scan();
    assert.equal(s.identifierText(), a);
    s.scan();
    const v = s.value;
    s.scan();
    assert.equal(s.value, v);
    assert.equal(v, 'Inbound');
  });

  it('reads every name right when a large file fills the intern table past its first size', () => {
    // 40000 distinct names, each written twice: several times the table's first size.
    const names = Array.from({ length: 40000 }, (_, i) => `n${i.toString(36)}`);
    const text = [...names, ...names].join(' ');
    const s = new Scanner(text, 0, [], []);
    const read: string[] = [];
    while (s.scan() !== T.EOF) read.push(s.identifierText());
    assert.deepEqual(read, [...names, ...names]);
  });
});
