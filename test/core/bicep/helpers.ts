import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBicep, parseBicepParam } from '../../../src/core/bicep/parser';
import type { BicepFile, Expression, Statement, SyntaxNode } from '../../../src/core/bicep/syntax';
import { forEachChild, walk } from '../../../src/core/bicep/walk';

// Tests run from out/test/core/bicep; the fixtures stay in the source tree.
const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'core', 'bicep', 'fixtures');

/** Text of a fixture file under test/core/bicep/fixtures. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** The names of all fixtures, with whether each is a `.bicepparam` file. */
export const FIXTURE_NAMES = ['network.bicep', 'workspace.bicep', 'main.bicep', 'main.bicepparam'];

/** Parses a fixture by its extension. */
export function parseFixture(name: string): BicepFile {
  const text = fixture(name);
  return name.endsWith('.bicepparam') ? parseBicepParam(text) : parseBicep(text);
}

/** The source text a node covers. */
export function src(file: BicepFile, node: { start: number; end: number }): string {
  return file.text.slice(node.start, node.end);
}

/** A deep copy of a node without offsets, to compare tree shapes. */
export function shape(node: unknown): unknown {
  return JSON.parse(JSON.stringify(node, (key, value: unknown) => (key === 'start' || key === 'end' ? undefined : value)));
}

/** Parses text that must hold exactly one statement and no diagnostics. */
export function one(text: string, paramFile = false): { file: BicepFile; statement: Statement } {
  const file = parseBicep(text, { paramFile });
  assert.deepEqual(file.diagnostics, [], `diagnostics for ${JSON.stringify(text)}`);
  assert.equal(file.statements.length, 1, `statements of ${JSON.stringify(text)}`);
  checkInvariants(file);
  return { file, statement: file.statements[0] };
}

/** Parses `var x = <expression>` and returns the expression. */
export function expr(expression: string): { file: BicepFile; e: Expression } {
  const { file, statement } = one(`var x = ${expression}`);
  assert.equal(statement.kind, 'var');
  return { file, e: (statement as Extract<Statement, { kind: 'var' }>).value };
}

/**
 * Structural invariants every parse must keep, broken input or not: offsets inside the text,
 * children inside their parent and in source order, statements and comments sorted and
 * disjoint, diagnostics sorted and inside the text.
 */
export function checkInvariants(file: BicepFile): void {
  const len = file.text.length;
  let previousEnd = 0;
  for (const statement of file.statements) {
    assert.ok(statement.start >= previousEnd, `statement at ${statement.start} overlaps the previous one (ends ${previousEnd})`);
    previousEnd = statement.end;
    walk(statement, (node) => {
      assert.ok(node.start >= 0 && node.start <= node.end && node.end <= len, `bad range ${node.kind} ${node.start}-${node.end}`);
      let childStart = node.start;
      forEachChild(node, (child: SyntaxNode) => {
        assert.ok(child.start >= childStart && child.end <= node.end,
          `${child.kind} ${child.start}-${child.end} is outside ${node.kind} ${node.start}-${node.end} or out of order`);
        childStart = child.start;
      });
    });
  }
  let commentEnd = 0;
  for (const c of file.comments) {
    assert.ok(c.start >= commentEnd && c.start < c.end && c.end <= len, `bad comment ${c.start}-${c.end}`);
    commentEnd = c.end;
  }
  for (let i = 0; i < file.diagnostics.length; i++) {
    const d = file.diagnostics[i];
    assert.ok(d.start >= 0 && d.start <= d.end && d.end <= len, `bad diagnostic ${JSON.stringify(d)}`);
    if (i > 0) assert.ok(file.diagnostics[i - 1].start <= d.start, 'diagnostics are sorted');
  }
}
