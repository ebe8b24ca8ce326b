// What a command was invoked with, read without vscode: a TreeNode from a view's context menu,
// an NsgRef from the server's CodeLens, a reveal target, or nothing useful.

import type { NsgRef } from '../server/protocol';
import type { Target } from './report-view';
import type { TreeNode } from './tree-model';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The NSG a command is about: a tree node's NSG, or an NsgRef as the CodeLens passes it. */
export function nsgRefOf(arg: unknown): NsgRef | undefined {
  if (!isObject(arg)) return undefined;
  const node = arg as Partial<TreeNode>;
  if (isObject(node.nsg) && typeof node.nsg.uri === 'string' && node.nsg.uri !== '' && typeof node.nsg.name === 'string') return node.nsg;
  if (typeof arg.uri === 'string' && arg.uri !== '' && typeof arg.name === 'string') {
    return { uri: arg.uri, name: arg.name, ...(typeof arg.line === 'number' ? { line: arg.line } : {}) };
  }
  return undefined;
}

/** The place a reveal command opens: a tree node's target, or a `{ uri, line? }`. */
export function targetOf(arg: unknown): Target | undefined {
  if (!isObject(arg)) return undefined;
  const node = arg as Partial<TreeNode>;
  if (isObject(node.target) && typeof node.target.uri === 'string') return node.target;
  if (typeof arg.uri === 'string' && arg.uri !== '') return { uri: arg.uri, ...(typeof arg.line === 'number' ? { line: arg.line } : {}) };
  return undefined;
}
