/** Traversal of the Bicep syntax tree. */

import type { ObjectProperty, SyntaxNode, TextRange } from './syntax';

/** The range of a property's key (a plain-name key is a name, not a node: it starts the property). */
export function keyRange(p: ObjectProperty): TextRange {
  const k = p.key;
  return typeof k === 'string' ? { start: p.start, end: p.start + k.length } : k;
}

/** Calls `fn` on each direct child of `node`, in source order. */
export function forEachChild(node: SyntaxNode, fn: (child: SyntaxNode) => void): void {
  // Cases are ordered by how often the kinds occur: a string switch tests them in order.
  switch (node.kind) {
    case 'identifier': case 'string': return;
    case 'property':
      if (typeof node.key !== 'string') fn(node.key);
      fn(node.value);
      return;
    case 'object': each(node.properties, fn); return;
    case 'integer': case 'boolean': case 'null': case 'error': return;
    case 'interpolatedString': each(node.expressions, fn); return;
    case 'propertyAccess': fn(node.object); fn(node.name); return;
    case 'call':
      if (node.target !== null) fn(node.target);
      fn(node.name);
      each(node.arguments, fn);
      return;
    case 'array': each(node.items, fn); return;
    case 'errorStatement': each(node.decorators, fn); return;
    case 'decorator': fn(node.expression); return;
    case 'spread': fn(node.expression); return;
    case 'for':
      fn(node.item);
      if (node.index !== null) fn(node.index);
      fn(node.iterable);
      fn(node.body);
      return;
    case 'if': fn(node.condition); fn(node.body); return;
    case 'ternary': fn(node.condition); fn(node.whenTrue); fn(node.whenFalse); return;
    case 'binary': fn(node.left); fn(node.right); return;
    case 'unary': fn(node.operand); return;
    case 'nonNull': fn(node.expression); return;
    case 'indexAccess': fn(node.object); fn(node.index); return;
    case 'resourceAccess': fn(node.object); fn(node.name); return;
    case 'lambda': each(node.parameters, fn); fn(node.body); return;
    case 'parenthesized': fn(node.expression); return;
    case 'objectType': each(node.properties, fn); return;
    case 'objectTypeProperty':
      each(node.decorators, fn);
      if (node.key !== null) fn(node.key);
      fn(node.value);
      return;
    case 'tupleType': each(node.items, fn); return;
    case 'tupleTypeItem': each(node.decorators, fn); fn(node.value); return;
    case 'unionType': each(node.members, fn); return;
    case 'arrayType': fn(node.item); return;
    case 'nullableType': case 'nonNullableType': case 'parenthesizedType': fn(node.type); return;
    case 'parameterizedType':
      if (node.target !== null) fn(node.target);
      fn(node.name);
      each(node.arguments, fn);
      return;
    case 'typePropertyAccess': fn(node.object); fn(node.name); return;
    case 'typeIndexAccess': fn(node.object); fn(node.index); return;
    case 'typeItemsAccess': case 'typeAdditionalPropertiesAccess': fn(node.object); return;
    case 'resourceType': if (node.type !== null) fn(node.type); return;
    case 'typedLambda': each(node.parameters, fn); fn(node.returnType); fn(node.body); return;
    case 'typedParameter': fn(node.name); fn(node.type); return;
    case 'importItem': fn(node.name); if (node.alias !== null) fn(node.alias); return;
    case 'targetScope': each(node.decorators, fn); fn(node.value); return;
    case 'metadata': each(node.decorators, fn); fn(node.name); fn(node.value); return;
    case 'param':
      each(node.decorators, fn);
      fn(node.name);
      if (node.type !== null) fn(node.type);
      if (node.value !== null) fn(node.value);
      return;
    case 'var':
      each(node.decorators, fn);
      fn(node.name);
      if (node.type !== null) fn(node.type);
      fn(node.value);
      return;
    case 'type': each(node.decorators, fn); fn(node.name); fn(node.value); return;
    case 'resource': each(node.decorators, fn); fn(node.name); fn(node.type); fn(node.value); return;
    case 'module': each(node.decorators, fn); fn(node.name); fn(node.path); fn(node.value); return;
    case 'output': each(node.decorators, fn); fn(node.name); fn(node.type); fn(node.value); return;
    case 'func': each(node.decorators, fn); fn(node.name); fn(node.lambda); return;
    case 'import':
      each(node.decorators, fn);
      if (node.items !== null) each(node.items, fn);
      if (node.wildcardAlias !== null) fn(node.wildcardAlias);
      fn(node.from);
      return;
    case 'extension':
      each(node.decorators, fn);
      fn(node.specification);
      if (node.config !== null) fn(node.config);
      if (node.alias !== null) fn(node.alias);
      return;
    case 'using':
      each(node.decorators, fn);
      if (node.path !== null) fn(node.path);
      if (node.config !== null) fn(node.config);
      return;
    case 'extends': each(node.decorators, fn); fn(node.path); return;
    case 'extensionConfig': each(node.decorators, fn); fn(node.name); fn(node.config); return;
    case 'test': each(node.decorators, fn); fn(node.name); fn(node.path); fn(node.value); return;
    case 'assert': each(node.decorators, fn); fn(node.name); fn(node.value); return;
  }
}

function each(nodes: readonly SyntaxNode[], fn: (child: SyntaxNode) => void): void {
  for (let i = 0; i < nodes.length; i++) fn(nodes[i]);
}

/**
 * Visits `node` and its descendants depth-first in source order. Return `false` from `visit`
 * to skip a node's children.
 */
export function walk(node: SyntaxNode, visit: (node: SyntaxNode) => boolean | void): void {
  const go = (n: SyntaxNode): void => {
    if (visit(n) === false) return;
    forEachChild(n, go);
  };
  go(node);
}

/** The innermost node of `root` whose range contains `offset` (end inclusive), or undefined. */
export function nodeAt(root: SyntaxNode, offset: number): SyntaxNode | undefined {
  if (offset < root.start || offset > root.end) return undefined;
  let found: SyntaxNode = root;
  let descend = true;
  while (descend) {
    descend = false;
    forEachChild(found, (child) => {
      if (!descend && offset >= child.start && offset <= child.end && child.end > child.start) {
        found = child;
        descend = true;
      }
    });
  }
  return found;
}

/** Adds `delta` to the offsets of `node` and all its descendants, in place (used by re-parsing). */
export function shiftNode(node: SyntaxNode, delta: number): void {
  // An explicit stack: re-parsing must not depend on how deep the tree is.
  const stack: SyntaxNode[] = [node];
  const push = (child: SyntaxNode): void => {
    stack.push(child);
  };
  while (stack.length > 0) {
    const n = stack.pop() as SyntaxNode;
    n.start += delta;
    n.end += delta;
    forEachChild(n, push);
  }
}
