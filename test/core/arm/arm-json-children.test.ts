import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type JsonNode, PropertyNames, child, children, parseJsonFile } from '../../../src/core/arm/arm-json';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function objects(n: JsonNode | undefined, out: JsonNode[] = []): JsonNode[] {
  if (n === undefined) return out;
  if (n.type === 'object') out.push(n);
  for (const c of n.children ?? []) objects(c, out);
  return out;
}

const where = (n: JsonNode | undefined): string => (n === undefined ? '-' : `${n.offset}:${n.length}`);

describe('arm-json children', () => {
  const names = new PropertyNames(['type', 'copy', 'condition', 'name', 'existing', 'resources', 'properties', 'location', 'Name', 'x']);

  it('finds each name as child does: the last exact name, else the last in another case', () => {
    const text = '{"NAME": 1, "name": 2, "Type": 3, "TYPE": 4, "copy": 5, "x": 6, "x": 7, "properties": {"name": 8}, "Location": 9, "a\\u0062": 10, "n\\u0061me": 11}';
    const root = parseJsonFile('t.json', text, []).root!;
    assert.deepEqual(children(root, names).map(where), names.names.map((n) => where(child(root, n))));
    assert.equal(children(root, names)[0]?.value, 4, 'no exact "type": the last one in another case');
    assert.equal(children(root, names)[3]?.value, 11, 'an escaped name is its value');
    assert.deepEqual(children(child(root, 'x')!, names), new Array(names.names.length).fill(undefined), 'not an object');
  });

  it('agrees with child on every object of every JSON fixture', () => {
    let n = 0;
    for (const dir of ['test/fixtures/templates', 'test/fixtures/templates/linked', 'examples/arm']) {
      for (const f of fs.readdirSync(path.join(REPO_ROOT, dir)).filter((x) => /\.jsonc?$/.test(x))) {
        const root = parseJsonFile(f, fs.readFileSync(path.join(REPO_ROOT, dir, f), 'utf8'), []).root;
        for (const o of objects(root)) {
          assert.deepEqual(children(o, names).map(where), names.names.map((k) => where(child(o, k))), `${f} at ${o.offset}`);
          n++;
        }
      }
    }
    assert.ok(n > 500, String(n));
  });
});
