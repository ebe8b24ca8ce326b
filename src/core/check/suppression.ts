/**
 * Suppression in the source: which verdicts and rule findings the template's author has said
 * not to report.
 *
 * - A comment line `// amlnet-disable-next-line <id> [<id> ...]` (Bicep, and ARM JSON, which
 *   allows `//` comments) suppresses those ids, or every amlnet id when none is named, on the
 *   next line that is not itself a comment line (so several such comments, or an `amlnet-check`
 *   mark, can be stacked above one line).
 * - An ARM resource's `"metadata": { "amlnet-disable": ["<id>", ...] }` (or `"*"`) suppresses
 *   those requirement ids for that NSG, for files whose tooling drops comments.
 *
 * A requirement verdict of an NSG is suppressed by a comment on the line above the NSG's
 * declaration or above the place its diagnostics go (its `securityRules` key, else its name); a
 * rule finding by a comment above the rule or above the property the finding is about.
 * Suppression is a reporting layer: verdicts do not change; a suppressed one is marked, and does
 * not make the check fail.
 */

import { findNodeAtOffset, parseTree, type Node as JsonNode } from 'jsonc-parser';
import type { SubnetFirewallCheck } from '../firewall/check-firewalls';
import { firewallDeclarations, verdictAnchor, warningAnchor } from '../firewall/firewall-anchors';
import type { NsgModel, RuleOrigin, SourceSpan } from '../model/workspace-model';
import type { RuleFinding } from '../validate-rules';
import type { RequirementVerdict } from '../verdict';

export const DISABLE_NEXT_LINE = 'amlnet-disable-next-line';
export const METADATA_KEY = 'amlnet-disable';

/** What one suppression names: some ids, or all of them. */
export type SuppressedIds = ReadonlySet<string> | 'all';

const COMMENT_LINE = /^[ \t]*\/\/(.*)$/;
const DIRECTIVE = new RegExp(`^\\s*${DISABLE_NEXT_LINE}(?![\\w-])(.*)$`);
const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The ids after `amlnet-disable-next-line`: whitespace- or comma-separated; stops at the first word that is not an id. */
function parseIds(rest: string): SuppressedIds {
  const ids = new Set<string>();
  for (const word of rest.split(/[\s,]+/).filter((w) => w !== '')) {
    if (!ID.test(word)) break;
    ids.add(word.toLowerCase());
  }
  return ids.size ? ids : 'all';
}

function union(a: SuppressedIds | undefined, b: SuppressedIds): SuppressedIds {
  if (a === undefined) return b;
  if (a === 'all' || b === 'all') return 'all';
  return new Set([...a, ...b]);
}

/** Whether `ids` names `id`. */
export function names(ids: SuppressedIds | undefined, id: string): boolean {
  return ids !== undefined && (ids === 'all' || ids.has(id.toLowerCase()));
}

/** The suppressions written in one file's text. */
export class FileSuppressions {
  /** Target line (0-based) → the ids suppressed on it. */
  readonly lines = new Map<number, SuppressedIds>();
  private readonly lineStarts: number[] = [];
  private jsonRoot: JsonNode | undefined | null = null;

  constructor(private readonly text: string, private readonly isJson: boolean) {
    if (!text.includes(DISABLE_NEXT_LINE) && !text.includes(METADATA_KEY)) return;
    const lines = text.split(/\r\n|\r|\n/);
    let offset = 0;
    // Each line's start offset, computed from the split (line breaks of one or two characters).
    for (let i = 0; i < lines.length; i++) {
      this.lineStarts.push(offset);
      offset += lines[i].length;
      if (text.charCodeAt(offset) === 13 && text.charCodeAt(offset + 1) === 10) offset += 2;
      else if (offset < text.length) offset += 1;
    }
    let pending: SuppressedIds | undefined;
    for (let i = 0; i < lines.length; i++) {
      const comment = COMMENT_LINE.exec(lines[i]);
      if (comment) {
        const directive = DIRECTIVE.exec(comment[1]);
        if (directive) pending = union(pending, parseIds(directive[1]));
        continue;
      }
      if (pending !== undefined) {
        this.lines.set(i, union(this.lines.get(i), pending));
        pending = undefined;
      }
    }
  }

  /** The 0-based line of an offset. */
  lineOf(offset: number): number {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The ids a comment suppresses on the line where `offset` is. */
  atOffset(offset: number | undefined): SuppressedIds | undefined {
    if (offset === undefined || this.lines.size === 0) return undefined;
    return this.lines.get(this.lineOf(offset));
  }

  /** The ids an ARM resource's `metadata["amlnet-disable"]` names, for the object that starts at `offset`. */
  metadataAt(offset: number): SuppressedIds | undefined {
    if (!this.isJson || !this.text.includes(METADATA_KEY)) return undefined;
    if (this.jsonRoot === null) this.jsonRoot = parseTree(this.text, [], { allowTrailingComma: true, disallowComments: false });
    if (!this.jsonRoot) return undefined;
    let node = findNodeAtOffset(this.jsonRoot, offset, true);
    while (node && !(node.type === 'object' && node.offset <= offset)) node = node.parent;
    if (!node) return undefined;
    const metadata = property(node, 'metadata');
    const value = metadata && property(metadata, METADATA_KEY);
    if (!value) return undefined;
    if (value.type === 'string') return value.value === '*' ? 'all' : new Set([String(value.value).toLowerCase()]);
    if (value.type === 'boolean' && value.value === true) return 'all';
    if (value.type !== 'array') return undefined;
    const ids = (value.children ?? []).filter((c) => c.type === 'string').map((c) => String(c.value).toLowerCase());
    if (ids.includes('*') || ids.length === 0) return 'all';
    return new Set(ids);
  }
}

function property(object: JsonNode, key: string): JsonNode | undefined {
  if (object.type !== 'object') return undefined;
  for (const p of object.children ?? []) {
    const [k, v] = p.children ?? [];
    if (k?.value === key) return v;
  }
  return undefined;
}

/** Suppressions per file, read once per check. */
export class SuppressionIndex {
  private readonly files = new Map<string, FileSuppressions | undefined>();

  constructor(private readonly sourceText: (file: string) => string | undefined) {}

  of(file: string): FileSuppressions | undefined {
    if (!this.files.has(file)) {
      let text: string | undefined;
      try {
        text = this.sourceText(file);
      } catch {
        text = undefined;
      }
      this.files.set(file, text === undefined ? undefined : new FileSuppressions(text, /\.jsonc?$/i.test(file)));
    }
    return this.files.get(file);
  }

  private at(span: SourceSpan | undefined): SuppressedIds | undefined {
    return span ? this.of(span.file)?.atOffset(span.start) : undefined;
  }

  /** What the source suppresses for an NSG's requirement verdicts. */
  forNsg(nsg: NsgModel): SuppressedIds | undefined {
    let ids: SuppressedIds | undefined;
    for (const span of [nsg.span, nsg.securityRulesSpan ?? nsg.nameSpan ?? nsg.span]) {
      const found = this.at(span);
      if (found) ids = union(ids, found);
    }
    if (nsg.span) {
      const meta = this.of(nsg.span.file)?.metadataAt(nsg.span.start);
      if (meta) ids = union(ids, meta);
    }
    return ids;
  }

  /** What a comment above any of the spans (or ARM `metadata` of a resource starting at one) suppresses. */
  forSpans(spans: readonly (SourceSpan | undefined)[], metadataOf: readonly (SourceSpan | undefined)[] = []): SuppressedIds | undefined {
    let ids: SuppressedIds | undefined;
    for (const span of spans) {
      const found = this.at(span);
      if (found) ids = union(ids, found);
    }
    for (const span of metadataOf) {
      const meta = span && this.of(span.file)?.metadataAt(span.start);
      if (meta) ids = union(ids, meta);
    }
    return ids;
  }

  /** What the source suppresses for one rule finding. */
  forFinding(f: RuleFinding): SuppressedIds | undefined {
    const origin = ruleOrigin(f.origin);
    if (!origin) return undefined;
    let ids: SuppressedIds | undefined;
    for (const span of [origin.span, origin.properties[f.property]]) {
      const found = this.at(span);
      if (found) ids = union(ids, found);
    }
    return ids;
  }
}

function ruleOrigin(o: unknown): RuleOrigin | undefined {
  const r = o as RuleOrigin | undefined;
  return r && typeof r === 'object' && r.span && typeof r.span.start === 'number' && r.properties ? r : undefined;
}

/** Verdicts that would be reported (diagnostics, SARIF results): the only ones marked suppressed. */
function reportable(v: RequirementVerdict): boolean {
  return v.verdict !== 'allowed' && v.verdict !== 'not-applicable';
}

/** The suppressed requirement ids of an NSG's verdicts and the indexes of its suppressed findings. */
export function suppressedFor(
  index: SuppressionIndex,
  nsg: NsgModel,
  verdicts: readonly RequirementVerdict[],
  findings: readonly RuleFinding[],
): { requirements: ReadonlySet<string>; findings: ReadonlySet<number> } | undefined {
  const ids = index.forNsg(nsg);
  const requirements = new Set<string>();
  if (ids) for (const v of verdicts) if (reportable(v) && names(ids, v.id)) requirements.add(v.id);
  const suppressedFindings = new Set<number>();
  findings.forEach((f, i) => {
    if (names(index.forFinding(f), f.code)) suppressedFindings.add(i);
  });
  return requirements.size || suppressedFindings.size ? { requirements, findings: suppressedFindings } : undefined;
}

/** Suppressed firewall verdicts (requirement ids) and route warnings (their codes) of one subnet. */
export interface FirewallSuppressed {
  readonly requirements: ReadonlySet<string>;
  readonly warnings: ReadonlySet<string>;
}

/**
 * What the source suppresses for a subnet's firewall check: a comment above the place the verdict's
 * diagnostic goes (firewall-anchors.ts), or above the firewall, its policy, the route, the route table
 * or the subnet; ARM `metadata` of the firewall, the policy or the route table.
 */
export function suppressedForFirewall(index: SuppressionIndex, check: SubnetFirewallCheck): FirewallSuppressed | undefined {
  const declarations = firewallDeclarations(check);
  const metadataOf = [check.firewall?.span, check.policy?.span, check.routeTable.span];
  const shared = index.forSpans(declarations, metadataOf);
  const requirements = new Set<string>();
  for (const v of check.verdicts) {
    if (v.verdict === 'allowed' || v.verdict === 'not-applicable') continue;
    if (names(shared, v.id) || names(index.forSpans([verdictAnchor(check, v)]), v.id)) requirements.add(v.id);
  }
  const warnings = new Set<string>();
  for (const w of check.warnings) {
    if (names(shared, w.code) || names(index.forSpans([warningAnchor(check, w)]), w.code)) warnings.add(w.code);
  }
  return requirements.size || warnings.size ? { requirements, warnings } : undefined;
}
