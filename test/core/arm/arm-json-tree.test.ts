import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Node as TreeNode, parseTree } from 'jsonc-parser';
import * as fc from 'fast-check';
import { buildTree, fastTree, type JsonNode, parseJsonFile } from '../../../src/core/arm/arm-json';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** parseTree's tree in the reader's form: what the reader's tree must equal exactly. */
function fromParseTree(n: TreeNode): unknown {
  switch (n.type) {
    case 'object': {
      const props = n.children ?? [];
      return {
        type: 'object', offset: n.offset, length: n.length,
        keys: props.map((p) => p.children?.[0]?.value as string),
        keyOffsets: props.map((p) => p.children![0].offset),
        keyLengths: props.map((p) => p.children![0].length),
        children: props.map((p) => (p.children?.[1] ? fromParseTree(p.children[1]) : undefined)),
      };
    }
    case 'array':
      return { type: 'array', offset: n.offset, length: n.length, children: (n.children ?? []).map(fromParseTree) };
    default:
      return { type: n.type, offset: n.offset, length: n.length, value: n.value as unknown };
  }
}

function plain(n: JsonNode | undefined): unknown {
  if (!n) return undefined;
  if (n.type === 'object') {
    return { type: n.type, offset: n.offset, length: n.length, keys: n.keys, keyOffsets: n.keyOffsets, keyLengths: n.keyLengths, children: n.children!.map(plain) };
  }
  if (n.type === 'array') return { type: n.type, offset: n.offset, length: n.length, children: n.children!.map(plain) };
  return { type: n.type, offset: n.offset, length: n.length, value: n.value };
}

function same(text: string, label: string): void {
  const errors: { error: number; offset: number; length: number }[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const problems: { message: string }[] = [];
  const file = parseJsonFile('t.json', text, problems as never);
  assert.deepEqual(plain(file.root), tree ? fromParseTree(tree) : undefined, label);
  assert.equal(problems.length, new Set(errors.map((e) => e.offset)).size > 20 ? 20 : new Set(errors.map((e) => e.offset)).size, label);
}

describe('arm-json tree', () => {
  it('is parseTree\'s tree (values, keys, offsets) on every JSON fixture', () => {
    const dirs = ['test/fixtures/templates', 'test/fixtures/templates/linked', 'examples/arm'];
    let n = 0;
    for (const dir of dirs) {
      for (const f of fs.readdirSync(path.join(REPO_ROOT, dir)).filter((x) => /\.jsonc?$/.test(x))) {
        same(fs.readFileSync(path.join(REPO_ROOT, dir, f), 'utf8'), f);
        n++;
      }
    }
    assert.ok(n > 20, String(n));
  });

  it('is parseTree\'s tree on broken JSON: missing values, colons, commas, braces, comments', () => {
    const cases = [
      '', '{', '[', '{"a"}', '{"a":}', '{"a" "b": 1}', '{"a": 1 "b": 2}', '{"a": 1,, "b": 2}', '{,"a":1}', '{"a": [1 2, , 3}', '{"a": {"b": }, "c": 1}',
      '{"a": 1,}', '[1,]', '{"a": // c\n 1 /* d */, "b": [/*x*/]}', '{"a": tru, "b": nul}', '{"a": 1} {"b": 2}', '{"a": "x\\u12"}', '{1: 2, "b": 3}',
      '{"a": {"b": {"c": [', '{"a": 1, "A": 2, "a": 3}', '{"__proto__": {"x": 1}}', '{"a": -, "b": 1e}', '"x"', 'null', '[{"a"}, {"b":}]',
    ];
    for (const c of cases) same(c, JSON.stringify(c));
  });

  it('reads what follows a name and a value on its fast path as jsonc-parser does (colon, spaces, comments)', () => {
    const texts = [
      '{"a":1}', '{"a" :1}', '{"a": 1}', '{"a":  1}', '{"a": /*c*/ 1}', '{"a": //c\n 1}', '{"a":\t1}', '{"a": \n1}',
      '{"a": "x" ,"b": [1 ,2 ] }', '{"a": 1/*c*/,"b":2}', '{"a": {"b": 1}  }', '[1 , 2,\n3 ]', '{"a": 1,}', '{"a": 1 // c\n}',
    ];
    for (const text of texts) {
      const fast = fastTree(text);
      assert.ok(fast, text);
      const errors: { error: number; offset: number; length: number }[] = [];
      assert.deepEqual(plain(fast.root), plain(buildTree(text, errors).root), text);
      assert.deepEqual(errors, [], text);
    }
    // Not plain JSON: left to jsonc-parser.
    for (const text of ['{"a": \u0001}', '{"a": }', '{"a" 1}', '{"a": 1 2}', '{"a":']) assert.equal(fastTree(text), undefined, text);
  });

  it('reads plain JSON on its fast path to the same tree, and leaves everything else to jsonc-parser', () => {
    const dirs = ['test/fixtures/templates', 'examples/arm'];
    const texts: string[] = [];
    for (const dir of dirs) {
      for (const f of fs.readdirSync(path.join(REPO_ROOT, dir)).filter((x) => /\.jsonc?$/.test(x))) texts.push(fs.readFileSync(path.join(REPO_ROOT, dir, f), 'utf8'));
    }
    const snippets = ['{', '}', '[', ']', ',', ':', '"', '\\', '\\u', '\\u00e9', '\\x', '//', '/*', '*/', '\n', '\u00a0', '\t', '0', '01', '-', '1.', '.5', '1e', '1e+5', 'true', 'tru', 'nullx', '\u0001', ' '];
    let fastOnes = 0;
    let slowOnes = 0;
    fc.assert(fc.property(fc.constantFrom(...texts), fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), cut: fc.nat({ max: 3 }), text: fc.constantFrom(...snippets) }), { maxLength: 3 }), (base, edits) => {
      let text = base;
      for (const e of edits) {
        const at = Math.floor(e.at * (text.length + 1));
        text = text.slice(0, at) + e.text + text.slice(Math.min(text.length, at + e.cut));
      }
      const fast = fastTree(text);
      if (fast === undefined) {
        slowOnes++;
        return;
      }
      fastOnes++;
      const errors: { error: number; offset: number; length: number }[] = [];
      assert.deepEqual(plain(fast.root), plain(buildTree(text, errors).root));
      assert.equal(fast.markComments, buildTree(text, []).markComments);
      // Plain JSON is what jsonc-parser reads without an error.
      assert.deepEqual(errors, []);
      same(text, JSON.stringify(text.slice(0, 60)));
    }), { numRuns: 1500, seed: 3 });
    assert.ok(fastOnes > 100 && slowOnes > 100, `fast ${fastOnes}, slow ${slowOnes}`);
  });
});
