/**
 * Where the rules of an ARM rule collection are written: the ARM reader keeps the collection's
 * span but not its rules', so they are found again in the file's text (jsonc-parser).
 */
import { findNodeAtOffset, parseTree, type Node } from 'jsonc-parser';
import type { SourceSpan } from '../model/workspace-model';

/** A property of an object node by case-insensitive key (ARM keys are case-insensitive). */
export function propertyNode(obj: Node | undefined, key: string): { key: Node; value: Node } | undefined {
  if (!obj || obj.type !== 'object') return undefined;
  const lower = key.toLowerCase();
  for (const p of obj.children ?? []) {
    const k = p.children?.[0];
    const v = p.children?.[1];
    if (k && v && typeof k.value === 'string' && k.value.toLowerCase() === lower) return { key: k, value: v };
  }
  return undefined;
}

let cacheText: string | undefined;
let cacheTree: Node | undefined;

/** The JSON tree of a text (the last one is kept: fixes and spans ask for the same file in a row). */
export function jsonTree(text: string): Node | undefined {
  if (cacheText !== text) {
    cacheText = text;
    cacheTree = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  }
  return cacheTree;
}

/** The object node that starts exactly at `span.start` (a collection, a group resource). */
export function nodeAt(text: string, span: SourceSpan): Node | undefined {
  const root = jsonTree(text);
  if (!root) return undefined;
  let node: Node | undefined = findNodeAtOffset(root, span.start, true);
  while (node && !(node.offset === span.start && node.type === 'object')) node = node.parent;
  return node;
}

/** The spans of the rules of a collection written at `span` (`properties.rules` for classic collections). */
export function armRuleSpans(text: string, span: SourceSpan, classic: boolean): (SourceSpan | undefined)[] {
  const node = nodeAt(text, span);
  const body = classic ? propertyNode(node, 'properties')?.value : node;
  const rules = propertyNode(body, 'rules')?.value;
  if (!rules || rules.type !== 'array') return [];
  return (rules.children ?? []).map((r) => ({ file: span.file, start: r.offset, end: r.offset + r.length }));
}
