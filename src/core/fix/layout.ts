/**
 * Where a fix writes new security rules in a template, and how: the insertion point (an inline
 * `securityRules` array, a child resource beside the others, or a new `securityRules` property)
 * and the file's own style (indentation, newline, quotes, property order, one-line objects).
 * Reads the file's text with the same parsers the readers use; never evaluates anything.
 */
import { findNodeAtOffset, parseTree, type Node } from 'jsonc-parser';
import { child, propertyNode } from '../arm/arm-json';
import { parseBicep } from '../bicep/parser';
import type { ArrayExpression, BicepFile, Expression, ObjectExpression, ObjectProperty, ResourceDeclaration, SyntaxNode } from '../bicep/syntax';
import { walk } from '../bicep/walk';
import type { NsgModel, RuleModel } from '../model/workspace-model';
import type { RuleProperty } from '../validate-rules';
import type { TextEdit } from './text-edit';

export type Lang = 'bicep' | 'arm';

/** A rule's properties (under `properties`), in the names the order is kept by. */
export type PropKey = 'description' | 'protocol' | 'sourcePort' | 'destinationPort' | 'sourceAddress' | 'destinationAddress' | 'access' | 'priority' | 'direction';

export const DEFAULT_ORDER: readonly PropKey[] = ['description', 'protocol', 'sourcePort', 'destinationPort', 'sourceAddress', 'destinationAddress', 'access', 'priority', 'direction'];

const FROM_RULE_PROPERTY: Partial<Record<RuleProperty, PropKey>> = {
  priority: 'priority', direction: 'direction', access: 'access', protocol: 'protocol',
  sourceAddresses: 'sourceAddress', destinationAddresses: 'destinationAddress', sourcePorts: 'sourcePort', destinationPorts: 'destinationPort',
};

/** An address as the fix writes it: a literal (`Storage.westeurope`) or a tag at the NSG's location expression. */
export type AddressValue =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'regional'; readonly tag: string; readonly expr: string };

/** A rule to write. */
export interface NewRule {
  readonly name: string;
  readonly priority: number;
  readonly direction: 'Inbound' | 'Outbound';
  readonly protocol: 'Tcp' | 'Udp' | '*';
  readonly ports: readonly string[];
  readonly remote: AddressValue;
  readonly description: string;
}

/** The NSG's `location` as written: a literal region, or an expression of the file's language. */
export type LocationText = { readonly kind: 'literal'; readonly region: string } | { readonly kind: 'expr'; readonly text: string };

/** Where new rules go for one NSG declaration. `key` is shared by NSGs declared once (a loop, a module used twice). */
export interface InsertionTarget {
  readonly key: string;
  readonly file: string;
  readonly lang: Lang;
  readonly location?: LocationText;
  /** Rule names and symbols already declared in the file, which new child resources must not reuse. */
  render(rules: readonly NewRule[]): TextEdit[];
}

export type Located = { readonly target: InsertionTarget } | { readonly reason: string };

// ---------------------------------------------------------------------------------------------
// Text helpers

export function newlineOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function lineStart(text: string, offset: number): number {
  const i = text.lastIndexOf('\n', offset - 1);
  return i + 1;
}

/** The whitespace a line starts with. */
export function lineIndent(text: string, offset: number): string {
  const s = lineStart(text, offset);
  let e = s;
  while (e < text.length && (text[e] === ' ' || text[e] === '\t')) e++;
  return text.slice(s, e);
}

/** Whether only whitespace precedes `offset` on its line. */
function startsLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}

function sameLine(text: string, a: number, b: number): boolean {
  return !text.slice(Math.min(a, b), Math.max(a, b)).includes('\n');
}

/** One level of indentation in a range of the text: a tab, or the smallest step between the indents of consecutive lines (2 when nothing tells). */
export function detectUnit(text: string, from: number, to: number): string {
  let min = Infinity;
  let prev: number | undefined;
  for (const line of text.slice(lineStart(text, from), to).split('\n')) {
    if (line.trim() === '') continue;
    const m = /^[ \t]*/.exec(line)![0];
    if (m.includes('\t')) return '\t';
    if (prev !== undefined && m.length !== prev) min = Math.min(min, Math.abs(m.length - prev));
    prev = m.length;
  }
  return Number.isFinite(min) && min <= 8 ? ' '.repeat(min) : '  ';
}

export function bicepString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\$\{/g, '\\${').replace(/\r/g, '\\r').replace(/\n/g, '\\n')}'`;
}

function jsonString(s: string): string {
  return JSON.stringify(s);
}

// ---------------------------------------------------------------------------------------------
// Rendering rule objects

/** A value to print: raw text, or an object of entries (one line or one entry per line). */
type Val = string | { readonly entries: readonly (readonly [string, Val])[]; readonly oneLine: boolean };

interface Printer {
  readonly lang: Lang;
  readonly nl: string;
  readonly unit: string;
}

function printObject(p: Printer, entries: readonly (readonly [string, Val])[], indent: string, oneLine: boolean): string {
  const key = (k: string) => (p.lang === 'arm' ? jsonString(k) : k);
  if (oneLine) return `{ ${entries.map(([k, v]) => `${key(k)}: ${printVal(p, v, indent, true)}`).join(', ')} }`;
  const inner = indent + p.unit;
  const sep = p.lang === 'arm' ? ',' : '';
  return `{${entries.map(([k, v]) => `${p.nl}${inner}${key(k)}: ${printVal(p, v, inner, false)}`).join(sep)}${p.nl}${indent}}`;
}

function printVal(p: Printer, v: Val, indent: string, forceOneLine: boolean): string {
  return typeof v === 'string' ? v : printObject(p, v.entries, indent, forceOneLine || v.oneLine);
}

/** The order and shape of the properties of the first existing rule written in this file, when there is one. */
export interface RuleShape {
  readonly order: readonly PropKey[];
  readonly oneLineProperties: boolean;
}

export function shapeOf(rules: readonly RuleModel[], file: string, text: string): RuleShape {
  const first = rules.find((r) => r.origin?.span.file === file && Object.keys(r.origin.properties).length > 2);
  if (!first?.origin) return { order: DEFAULT_ORDER, oneLineProperties: false };
  const spans = (Object.entries(first.origin.properties) as [RuleProperty, { start: number } | undefined][])
    .filter(([k, s]) => FROM_RULE_PROPERTY[k] !== undefined && s !== undefined)
    .sort((a, b) => a[1]!.start - b[1]!.start);
  const seen = spans.map(([k]) => FROM_RULE_PROPERTY[k]!);
  const order: PropKey[] = ['description', ...seen.filter((k, i) => seen.indexOf(k) === i)];
  for (const k of DEFAULT_ORDER) if (!order.includes(k)) order.push(k);
  const starts = spans.map(([, s]) => s!.start);
  const oneLine = starts.length >= 3 && starts.every((s) => sameLine(text, starts[0], s));
  return { order, oneLineProperties: oneLine };
}

function addressText(lang: Lang, a: AddressValue): string {
  if (a.kind === 'literal') return lang === 'arm' ? jsonString(a.text) : bicepString(a.text);
  if (lang === 'arm') return jsonString(`[concat('${a.tag}.', ${a.expr})]`);
  return `'${a.tag}.\${${a.expr}}'`;
}

function propertiesOf(lang: Lang, r: NewRule, shape: RuleShape): Val {
  const str = (s: string) => (lang === 'arm' ? jsonString(s) : bicepString(s));
  const local = str('VirtualNetwork');
  const remote = addressText(lang, r.remote);
  const values: Record<PropKey, readonly [string, string]> = {
    description: ['description', str(r.description)],
    protocol: ['protocol', str(r.protocol)],
    sourcePort: ['sourcePortRange', str('*')],
    destinationPort: r.ports.length === 1
      ? ['destinationPortRange', str(r.ports[0])]
      : ['destinationPortRanges', lang === 'arm' ? `[${r.ports.map(str).join(', ')}]` : `[${r.ports.map(str).join(', ')}]`],
    sourceAddress: ['sourceAddressPrefix', r.direction === 'Inbound' ? remote : local],
    destinationAddress: ['destinationAddressPrefix', r.direction === 'Inbound' ? local : remote],
    access: ['access', str('Allow')],
    priority: ['priority', String(r.priority)],
    direction: ['direction', str(r.direction)],
  };
  // A one-line Bicep array needs one-line objects: multi-line port lists there would not parse.
  return { entries: shape.order.map((k) => values[k]), oneLine: shape.oneLineProperties };
}

/** `{ name, properties }`: an item of an inline `securityRules` array. */
function ruleItem(p: Printer, r: NewRule, shape: RuleShape, indent: string, oneLine: boolean): string {
  const name = p.lang === 'arm' ? jsonString(r.name) : bicepString(r.name);
  return printObject(p, [['name', name], ['properties', propertiesOf(p.lang, r, shape)]], indent, oneLine);
}

// ---------------------------------------------------------------------------------------------
// Bicep

function propName(p: ObjectProperty): string | undefined {
  return typeof p.key === 'string' ? p.key : p.key.kind === 'string' ? p.key.value : undefined;
}

function propOf(obj: ObjectExpression | undefined, name: string): ObjectProperty | undefined {
  if (!obj) return undefined;
  const props = obj.properties.filter((m): m is ObjectProperty => m.kind === 'property');
  return props.find((p) => propName(p) === name) ?? props.find((p) => propName(p)?.toLowerCase() === name.toLowerCase());
}

function bodyOf(value: Expression): { body?: ObjectExpression; loop: boolean; conditional: boolean } {
  let v: Expression = value;
  let loop = false;
  let conditional = false;
  if (v.kind === 'for') {
    loop = true;
    v = v.body;
  }
  if (v.kind === 'if') {
    conditional = true;
    v = v.body;
  }
  return { body: v.kind === 'object' ? v : undefined, loop, conditional };
}

function findResource(file: BicepFile, start: number): ResourceDeclaration | undefined {
  let found: ResourceDeclaration | undefined;
  for (const s of file.statements) {
    walk(s as SyntaxNode, (n) => {
      if (found) return false;
      if (n.kind === 'resource' && n.start === start) found = n;
      return undefined;
    });
    if (found) break;
  }
  return found;
}

function declaredSymbols(file: BicepFile): Set<string> {
  const out = new Set<string>();
  for (const s of file.statements) {
    walk(s as SyntaxNode, (n) => {
      if ('name' in n && typeof n.name === 'object' && n.name && n.name.kind === 'identifier' && n.kind !== 'importItem') out.add(n.name.name.toLowerCase());
      return undefined;
    });
  }
  return out;
}

function symbolFor(ruleName: string, taken: Set<string>): string {
  const base = ruleName.replace(/[^A-Za-z0-9_]/g, '').replace(/^[^A-Za-z_]+/, '') || 'rule';
  const camel = base[0].toLowerCase() + base.slice(1);
  let s = camel;
  for (let i = 2; taken.has(s.toLowerCase()); i++) s = `${camel}${i}`;
  taken.add(s.toLowerCase());
  return s;
}

function bicepLocation(body: ObjectExpression | undefined, text: string): LocationText | undefined {
  const v = propOf(body, 'location')?.value;
  if (!v || v.kind === 'error') return undefined;
  if (v.kind === 'string') return { kind: 'literal', region: v.value };
  const t = text.slice(v.start, v.end);
  return t.includes('\n') ? undefined : { kind: 'expr', text: t };
}

/** Inserts items at the end of a Bicep or JSON array, in its own style. */
function arrayInsertion(p: Printer, text: string, arr: { start: number; end: number; items: readonly { start: number; end: number }[] }, keyOffset: number, renderItem: (indent: string, oneLine: boolean) => string[], file: string): TextEdit[] {
  const closeIndent = lineIndent(text, arr.end - 1);
  const items = arr.items;
  if (items.length === 0) {
    const inside = text.slice(arr.start + 1, arr.end - 1);
    const indent = lineIndent(text, keyOffset) + p.unit;
    const rendered = renderItem(indent, false);
    const sep = p.lang === 'arm' ? ',' : '';
    const body = rendered.map((r) => `${p.nl}${indent}${r}`).join(sep);
    if (/^\s*$/.test(inside) && inside.includes('\n')) return [{ file, start: arr.start + 1, end: arr.start + 1, newText: body }];
    return [{ file, start: arr.start + 1, end: arr.start + 1, newText: `${body}${p.nl}${lineIndent(text, arr.start)}` }];
  }
  const last = items[items.length - 1];
  const oneLineArray = sameLine(text, arr.start, arr.end);
  if (oneLineArray) {
    const rendered = renderItem('', true);
    return [{ file, start: last.end, end: last.end, newText: rendered.map((r) => `, ${r}`).join('') }];
  }
  const indent = startsLine(text, items[0].start) ? lineIndent(text, items[0].start) : closeIndent + p.unit;
  // Items written on one line each get new items on one line each.
  const rendered = renderItem(indent, sameLine(text, last.start, last.end));
  const commas = p.lang === 'arm' || (items.length > 1 && text.slice(items[0].end, items[1].start).includes(','));
  if (commas) return [{ file, start: last.end, end: last.end, newText: rendered.map((r) => `,${p.nl}${indent}${r}`).join('') }];
  // Newline-separated Bicep: after the last item's line (keeping a trailing comment where it is).
  let at = last.end;
  const rest = /^[^\n]*/.exec(text.slice(last.end))![0];
  if (/^[ \t]*(\/\/[^\r]*)?\r?$/.test(rest)) at = last.end + rest.replace(/\r$/, '').length;
  return [{ file, start: at, end: at, newText: rendered.map((r) => `${p.nl}${indent}${r}`).join('') }];
}

function bicepTarget(nsg: NsgModel, text: string): Located {
  const span = nsg.span!;
  const file = parseBicep(text);
  const decl = findResource(file, span.start);
  if (!decl) return { reason: `amlnet cannot find the declaration of ${nsg.name} in ${span.file}` };
  const { body, loop, conditional } = bodyOf(decl.value);
  if (!body) return { reason: `the body of ${nsg.name} is not an object literal` };
  const nl = newlineOf(text);
  const p: Printer = { lang: 'bicep', nl, unit: detectUnit(text, decl.start, decl.end) };
  const shape = shapeOf(nsg.rules, span.file, text);
  const location = bicepLocation(body, text);
  const key = `${span.file}#${decl.start}`;
  const base = { key, file: span.file, lang: 'bicep' as const, location };
  const items = (rules: readonly NewRule[]) => (indent: string, oneLine: boolean) => rules.map((r) => ruleItem(p, r, shape, indent, oneLine));
  const properties = propOf(body, 'properties');
  const rulesProp = properties?.value.kind === 'object' ? propOf(properties.value, 'securityRules') : undefined;

  if (nsg.ruleStyle === 'inline' || rulesProp) {
    if (!rulesProp) return { reason: `the securityRules of ${nsg.name} are not written in ${span.file}` };
    const v = rulesProp.value;
    if (v.kind === 'array') {
      const arr = v as ArrayExpression;
      return { target: { ...base, render: (rules) => arrayInsertion(p, text, arr, rulesProp.start, items(rules), span.file) } };
    }
    if (v.kind === 'for' || v.kind === 'error') return { reason: `the securityRules of ${nsg.name} are ${v.kind === 'for' ? 'a for-expression' : 'not readable'}; add the rules by hand` };
    if (!sameLine(text, v.start, v.end)) return { reason: `the securityRules of ${nsg.name} are a multi-line expression; add the rules by hand` };
    // An expression (a variable, concat(...)): append an array of the new rules with concat().
    return {
      target: {
        ...base,
        render: (rules) => {
          const indent = lineIndent(text, rulesProp.start);
          const list = items(rules)(indent + p.unit, false).map((r) => `${nl}${indent}${p.unit}${r}`).join('');
          return [
            { file: span.file, start: v.start, end: v.start, newText: 'concat(' },
            { file: span.file, start: v.end, end: v.end, newText: `, [${list}${nl}${indent}])` },
          ];
        },
      },
    };
  }

  if (nsg.ruleStyle === 'child') {
    const children = nsg.rules.filter((r) => r.origin?.style === 'child' && r.origin.span.file === span.file);
    const lastChild = children.reduce<RuleModel | undefined>((a, r) => (!a || r.origin!.span.end > a.origin!.span.end ? r : a), undefined);
    const childDecl = lastChild ? findResource(file, lastChild.origin!.span.start) : undefined;
    if (!childDecl) return { reason: `the child rules of ${nsg.name} are not declared in ${span.file}` };
    const taken = declaredSymbols(file);
    const nested = childDecl.start > decl.start && childDecl.end <= decl.end;
    if (!nested && (loop || conditional)) return { reason: `${nsg.name} is declared in a ${loop ? 'loop' : 'condition'}; a child rule beside it would need the same; add the rules by hand` };
    const apiVersion = decl.type.kind === 'string' ? (decl.type.value.split('@')[1] ?? '') : '';
    const typeText = nested ? text.slice(childDecl.type.start, childDecl.type.end) : bicepString(`Microsoft.Network/networkSecurityGroups/securityRules${apiVersion ? `@${apiVersion}` : ''}`);
    const nsgSymbol = decl.name.kind === 'identifier' ? decl.name.name : undefined;
    if (!nested && !nsgSymbol) return { reason: `${nsg.name} has no symbolic name to be a parent` };
    const indent = nested ? lineIndent(text, childDecl.start) : '';
    return {
      target: {
        ...base,
        render: (rules) => [{
          file: span.file, start: childDecl.end, end: childDecl.end,
          newText: rules.map((r) => {
            const entries: [string, Val][] = [];
            if (!nested) entries.push(['parent', nsgSymbol!]);
            entries.push(['name', bicepString(r.name)], ['properties', propertiesOf('bicep', r, shape)]);
            return `${nl}${nl}${indent}resource ${symbolFor(r.name, taken)} ${typeText} = ${printObject(p, entries, indent, false)}`;
          }).join(''),
        }],
      },
    };
  }

  // No rules yet: a securityRules property in `properties`, or `properties` itself.
  const indent = lineIndent(text, decl.start);
  const insertMember = (obj: ObjectExpression, objIndent: string, member: (inner: string) => string): TextEdit[] => {
    const inner = objIndent + p.unit;
    const members = obj.properties;
    if (members.length === 0) {
      const inside = text.slice(obj.start + 1, obj.end - 1);
      return [{ file: span.file, start: obj.start + 1, end: obj.start + 1, newText: `${nl}${inner}${member(inner)}${/\n\s*$/.test(inside) ? '' : `${nl}${objIndent}`}` }];
    }
    const last = members[members.length - 1];
    if (sameLine(text, obj.start, obj.end)) return [];
    const commas = members.length > 1 && text.slice(members[0].end, members[1].start).includes(',');
    return [{ file: span.file, start: last.end, end: last.end, newText: `${commas ? ',' : ''}${nl}${inner}${member(inner)}` }];
  };
  const rulesArray = (rules: readonly NewRule[], inner: string) => `[${items(rules)(inner + p.unit, false).map((r) => `${nl}${inner}${p.unit}${r}`).join('')}${nl}${inner}]`;
  if (properties && properties.value.kind === 'object') {
    const obj = properties.value;
    if (obj.properties.length > 0 && sameLine(text, obj.start, obj.end)) return { reason: `the properties of ${nsg.name} are written on one line; add the rules by hand` };
    return { target: { ...base, render: (rules) => insertMember(obj, lineIndent(text, properties.start), (inner) => `securityRules: ${rulesArray(rules, inner)}`) } };
  }
  if (properties) return { reason: `the properties of ${nsg.name} are an expression; add the rules by hand` };
  if (body.properties.length > 0 && sameLine(text, body.start, body.end)) return { reason: `${nsg.name} is written on one line; add the rules by hand` };
  return {
    target: {
      ...base,
      render: (rules) => insertMember(body, indent, (inner) => `properties: {${nl}${inner}${p.unit}securityRules: ${rulesArray(rules, inner + p.unit)}${nl}${inner}}`),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// ARM JSON

function objectAt(root: Node, offset: number): Node | undefined {
  let n: Node | undefined = findNodeAtOffset(root, offset, true);
  while (n && !(n.type === 'object' && n.offset === offset)) n = n.parent;
  return n;
}

function armLocation(resource: Node): LocationText | undefined {
  const v = child(resource, 'location');
  if (v?.type !== 'string' || typeof v.value !== 'string') return undefined;
  const s = v.value;
  if (s.startsWith('[') && !s.startsWith('[[') && s.endsWith(']')) return { kind: 'expr', text: s.slice(1, -1).trim() };
  return { kind: 'literal', region: s };
}

function armTarget(nsg: NsgModel, text: string): Located {
  const span = nsg.span!;
  const source = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const root = parseTree(source, [], { allowTrailingComma: true, disallowComments: false });
  const resource = root && objectAt(root, span.start);
  if (!resource) return { reason: `amlnet cannot find the declaration of ${nsg.name} in ${span.file}` };
  const nl = newlineOf(text);
  const p: Printer = { lang: 'arm', nl, unit: detectUnit(text, resource.offset, resource.offset + resource.length) };
  const shape = shapeOf(nsg.rules, span.file, text);
  const location = armLocation(resource);
  const base = { key: `${span.file}#${resource.offset}`, file: span.file, lang: 'arm' as const, location };
  const items = (rules: readonly NewRule[]) => (indent: string, oneLine: boolean) => rules.map((r) => ruleItem(p, r, shape, indent, oneLine));
  const props = child(resource, 'properties');
  const rulesProp = propertyNode(props, 'securityRules');
  const arrayOf = (n: Node) => ({ start: n.offset, end: n.offset + n.length, items: (n.children ?? []).map((c) => ({ start: c.offset, end: c.offset + c.length })) });

  if (nsg.ruleStyle === 'inline' || rulesProp) {
    const v = rulesProp?.children?.[1];
    if (!rulesProp || v?.type !== 'array') return { reason: `the securityRules of ${nsg.name} are not an array literal (an expression or a copy loop); add the rules by hand` };
    return { target: { ...base, render: (rules) => arrayInsertion(p, text, arrayOf(v), rulesProp.offset, items(rules), span.file) } };
  }

  if (nsg.ruleStyle === 'child') {
    const children = nsg.rules.filter((r) => r.origin?.style === 'child' && r.origin.span.file === span.file);
    const lastChild = children.reduce<RuleModel | undefined>((a, r) => (!a || r.origin!.span.end > a.origin!.span.end ? r : a), undefined);
    const childNode = lastChild && objectAt(root, lastChild.origin!.span.start);
    if (!childNode || childNode.parent?.type !== 'array') return { reason: `the child rules of ${nsg.name} are not in a resources array of ${span.file}; add the rules by hand` };
    const nested = childNode.offset > resource.offset && childNode.offset < resource.offset + resource.length;
    const raw = (n: Node | undefined) => (n ? text.slice(n.offset, n.offset + n.length) : undefined);
    const typeText = raw(child(childNode, 'type')) ?? jsonString('Microsoft.Network/networkSecurityGroups/securityRules');
    const apiText = raw(child(childNode, 'apiVersion')) ?? raw(child(resource, 'apiVersion'));
    const nameNode = child(resource, 'name');
    const nsgName = nameNode?.type === 'string' && typeof nameNode.value === 'string' ? nameNode.value : undefined;
    if (!nested && nsgName === undefined) return { reason: `the name of ${nsg.name} is not a string` };
    const nameExpr = nsgName !== undefined && nsgName.startsWith('[') && !nsgName.startsWith('[[') && nsgName.endsWith(']') ? nsgName.slice(1, -1).trim() : undefined;
    const nameOf = (rule: string) => (nested ? rule : nameExpr !== undefined ? `[concat(${nameExpr}, '/${rule}')]` : `${nsgName}/${rule}`);
    const dependsText = raw(child(childNode, 'dependsOn'))
      ?? `[ ${jsonString(`[resourceId('Microsoft.Network/networkSecurityGroups', ${nameExpr ?? `'${(nsgName ?? nsg.name).replace(/'/g, "''")}'`})]`)} ]`;
    const indent = lineIndent(text, childNode.offset);
    const childUnit = detectUnit(text, childNode.offset, childNode.offset + childNode.length);
    const cp: Printer = { ...p, unit: childUnit };
    return {
      target: {
        ...base,
        render: (rules) => [{
          file: span.file, start: childNode.offset + childNode.length, end: childNode.offset + childNode.length,
          newText: rules.map((r) => {
            const entries: [string, Val][] = [['type', typeText]];
            if (apiText) entries.push(['apiVersion', apiText]);
            entries.push(['name', jsonString(nameOf(r.name))], ['dependsOn', dependsText], ['properties', propertiesOf('arm', r, shape)]);
            return `,${nl}${indent}${printObject(cp, entries, indent, false)}`;
          }).join(''),
        }],
      },
    };
  }

  // No rules yet: add securityRules to properties (or properties to the resource).
  const addMember = (obj: Node, member: (inner: string) => string): TextEdit[] => {
    const objIndent = lineIndent(text, obj.offset);
    const members = obj.children ?? [];
    const keyIndent = members.length > 0 && startsLine(text, members[0].offset) ? lineIndent(text, members[0].offset) : objIndent + p.unit;
    if (members.length === 0) {
      const inside = text.slice(obj.offset + 1, obj.offset + obj.length - 1);
      return [{ file: span.file, start: obj.offset + 1, end: obj.offset + 1, newText: `${nl}${keyIndent}${member(keyIndent)}${/\n\s*$/.test(inside) ? '' : `${nl}${objIndent}`}` }];
    }
    const last = members[members.length - 1];
    return [{ file: span.file, start: last.offset + last.length, end: last.offset + last.length, newText: `,${nl}${keyIndent}${member(keyIndent)}` }];
  };
  const rulesArray = (rules: readonly NewRule[], inner: string) => `[${items(rules)(inner + p.unit, false).map((r) => `${nl}${inner}${p.unit}${r}`).join(',')}${nl}${inner}]`;
  if (props?.type === 'object') return { target: { ...base, render: (rules) => addMember(props, (inner) => `"securityRules": ${rulesArray(rules, inner)}`) } };
  if (props) return { reason: `the properties of ${nsg.name} are an expression; add the rules by hand` };
  return { target: { ...base, render: (rules) => addMember(resource, (inner) => `"properties": {${nl}${inner}${p.unit}"securityRules": ${rulesArray(rules, inner + p.unit)}${nl}${inner}}`) } };
}

/** Where and how to write new rules for an NSG, or why amlnet cannot. */
export function locateTarget(nsg: NsgModel, text: string): Located {
  if (!nsg.span) return { reason: `amlnet does not know where ${nsg.name} is declared` };
  return /\.bicep$/i.test(nsg.span.file) ? bicepTarget(nsg, text) : armTarget(nsg, text);
}
