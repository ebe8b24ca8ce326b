/**
 * Fixes: the security rules that make a failing requirement pass, as text edits in the template
 * that declares the NSG, in the file's own style (see layout.ts). One fix per requirement, or all
 * of an NSG's (or a file's) at once with priorities and names allocated across the batch.
 */
import type { NsgCheck } from '../check/check-model';
import { isUnknown } from '../maybe';
import type { NsgModel } from '../model/workspace-model';
import { canonicalTagName } from '../service-tags';
import type { RemoteSpec, TagRequirementSpec } from '../requirement';
import type { PortOutcome, RequirementVerdict } from '../verdict';
import { locateTarget, type AddressValue, type InsertionTarget, type LocationText, type NewRule } from './layout';
import type { TextEdit } from './text-edit';

export { applyEdits, type TextEdit } from './text-edit';

export interface FixOptions {
  /** Names of new rules start with this (default `AllowAzureML`): `AllowAzureMLStorageOutbound`. */
  readonly namePrefix?: string;
  /** The lowest priority a new rule takes (default 100). */
  readonly priorityStart?: number;
  /** Priorities are start, start + step, ... (default 10). */
  readonly priorityStep?: number;
  /** Also fix requirements met only by a default rule (strict mode). */
  readonly includeAllowedByDefault?: boolean;
  /** Fix-all for a file also fixes NSGs out of scope. */
  readonly includeOutOfScope?: boolean;
}

/** A rule a fix adds. */
export interface FixRule {
  readonly name: string;
  readonly priority: number;
  readonly direction: 'Inbound' | 'Outbound';
}

/** A requirement not fixed, and why. */
export interface Skipped {
  readonly nsg: string;
  readonly requirementId: string;
  readonly reason: string;
}

/** Edits that make requirements pass. A fix with no edits only says why nothing can be done. */
export interface Fix {
  readonly requirementIds: string[];
  readonly title: string;
  readonly edits: TextEdit[];
  readonly rules: FixRule[];
  /** Requirements the fix leaves alone (unknown verdicts, no free priority, ...). */
  readonly skipped: Skipped[];
}

const MIN_PRIORITY = 100;
const MAX_PRIORITY = 4096;

/** Whether a requirement's verdict asks for a fix under these options. */
export function needsFix(v: RequirementVerdict, options: FixOptions = {}): boolean {
  return v.verdict === 'blocked' || v.verdict === 'partial' || (v.verdict === 'allowed-by-default' && options.includeAllowedByDefault === true);
}

/** Free priorities and names of one NSG declaration, shared across a batch. */
class Allocator {
  private readonly used = { Inbound: new Set<number>(), Outbound: new Set<number>() };
  private readonly names = new Set<string>();

  constructor(private readonly start: number, private readonly step: number) {}

  addNsg(nsg: NsgModel): void {
    for (const r of nsg.rules) {
      this.names.add(r.name.toLowerCase());
      if (isUnknown(r.priority)) continue;
      const d = isUnknown(r.direction) ? undefined : r.direction.toLowerCase();
      if (d !== 'outbound') this.used.Inbound.add(r.priority);
      if (d !== 'inbound') this.used.Outbound.add(r.priority);
    }
  }

  /** The lowest free priority >= start on the step grid, below `limit`; undefined when none. */
  priority(direction: 'Inbound' | 'Outbound', limit: number): number | undefined {
    const used = this.used[direction];
    for (let p = this.start; p <= MAX_PRIORITY && p < limit; p += this.step) {
      if (p >= MIN_PRIORITY && !used.has(p)) {
        used.add(p);
        return p;
      }
    }
    return undefined;
  }

  release(direction: 'Inbound' | 'Outbound', priority: number): void {
    this.used[direction].delete(priority);
  }

  name(base: string): string {
    let n = base;
    for (let i = 2; this.names.has(n.toLowerCase()); i++) n = `${base}${i}`;
    this.names.add(n.toLowerCase());
    return n;
  }
}

/** The rules one requirement needs (without names and priorities), or why it cannot be fixed. */
interface Need {
  readonly direction: 'Inbound' | 'Outbound';
  /** New rules must come before this priority (the lowest user Deny that blocks the traffic). */
  readonly limit: number;
  readonly rules: readonly { tag: string; protocol: 'Tcp' | 'Udp' | '*'; ports: string[]; remote: AddressValue }[];
}

function remoteSpecOf(spec: TagRequirementSpec, row: PortOutcome): RemoteSpec | undefined {
  const text = row.remote.toLowerCase();
  const matches = spec.remote.filter((r) => {
    const tag = r.tag.toLowerCase();
    return text === tag || (r.regional === true && text.startsWith(`${tag}.`));
  });
  return matches.sort((a, b) => b.tag.length - a.tag.length)[0];
}

function addressFor(remote: RemoteSpec, location: LocationText | undefined, check: NsgCheck): AddressValue | string {
  const tag = canonicalTagName(remote.tag);
  if (!remote.regional) return { kind: 'literal', text: tag };
  if (location?.kind === 'expr') return { kind: 'regional', tag, expr: location.text };
  if (location?.kind === 'literal') return { kind: 'literal', text: `${tag}.${location.region.replace(/\s+/g, '').toLowerCase()}` };
  const region = check.options.region.value;
  if (region?.kind === 'name') return { kind: 'literal', text: `${tag}.${region.name}` };
  return `the NSG's location is not known, so the ${tag} tag's region cannot be written (set the region option)`;
}

function portKey(p: string): number {
  return Number(/^\d+/.exec(p)?.[0] ?? 0);
}

function needOf(check: NsgCheck, v: RequirementVerdict, location: LocationText | undefined): Need | string {
  const spec = v.spec;
  if (spec.kind !== 'service-tag') return 'it is a host-name requirement, which NSG rules cannot meet';
  const rows = v.breakdown.filter((r) => r.outcome === 'blocked' || r.outcome === 'allowed-by-default');
  if (rows.length === 0) return 'nothing in its breakdown is blocked';
  if (v.breakdown.some((r) => r.outcome === 'unknown')) return `part of its traffic is unknown (${v.unknownBecause?.join('; ') ?? 'see the verdict'}), so amlnet cannot tell which rule is missing`;
  let limit = 65500;
  for (const row of rows) {
    for (const ref of row.decidedBy) {
      if (ref.isDefault || ref.access === 'Allow') continue;
      if (ref.access === undefined || ref.priority === undefined) return `rule ${ref.name} blocks it, and its priority or access is not known`;
      limit = Math.min(limit, ref.priority);
    }
  }
  // Per remote: which protocols each port run needs.
  const byRemote = new Map<string, { remote: RemoteSpec; ports: Map<string, Set<'Tcp' | 'Udp'>> }>();
  for (const row of rows) {
    const remote = remoteSpecOf(spec, row);
    if (!remote) return `amlnet cannot tell which tag ${row.remote} stands for`;
    const entry = byRemote.get(remote.tag) ?? { remote, ports: new Map<string, Set<'Tcp' | 'Udp'>>() };
    byRemote.set(remote.tag, entry);
    for (const port of row.ports.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const set = entry.ports.get(port) ?? new Set<'Tcp' | 'Udp'>();
      set.add(row.protocol);
      entry.ports.set(port, set);
    }
  }
  const rules: { tag: string; protocol: 'Tcp' | 'Udp' | '*'; ports: string[]; remote: AddressValue }[] = [];
  for (const { remote, ports } of byRemote.values()) {
    const address = addressFor(remote, location, check);
    if (typeof address === 'string') return address;
    const groups = new Map<'Tcp' | 'Udp' | '*', string[]>();
    for (const [port, protocols] of ports) {
      const protocol = protocols.size === 2 ? '*' : [...protocols][0];
      groups.set(protocol, [...(groups.get(protocol) ?? []), port]);
    }
    for (const protocol of ['*', 'Tcp', 'Udp'] as const) {
      const list = groups.get(protocol);
      if (list) rules.push({ tag: canonicalTagName(remote.tag), protocol, ports: list.sort((a, b) => portKey(a) - portKey(b)), remote: address });
    }
  }
  return { direction: v.direction, limit, rules };
}

/** A batch of NSG checks planned together: the rules each declaration gets, and what was skipped. */
class Batch {
  private readonly targets = new Map<string, { target: InsertionTarget; alloc: Allocator; rules: NewRule[]; signatures: Set<string> }>();
  readonly skipped: Skipped[] = [];
  readonly fixed: string[] = [];
  readonly rules: FixRule[] = [];
  private readonly located = new Map<NsgCheck, InsertionTarget | string>();

  constructor(private readonly files: ReadonlyMap<string, string>, private readonly options: FixOptions) {}

  /** Registers the NSGs first, so priorities avoid the rules of every NSG that shares a declaration. */
  prepare(checks: readonly NsgCheck[]): void {
    for (const check of checks) {
      const nsg = check.nsg;
      const text = nsg.span ? this.files.get(nsg.span.file) : undefined;
      if (text === undefined) {
        this.located.set(check, `the text of ${nsg.span?.file ?? `the file that declares ${nsg.name}`} was not given`);
        continue;
      }
      const loc = locateTarget(nsg, text);
      if ('reason' in loc) {
        this.located.set(check, loc.reason);
        continue;
      }
      let entry = this.targets.get(loc.target.key);
      if (!entry) {
        entry = { target: loc.target, alloc: new Allocator(this.options.priorityStart ?? MIN_PRIORITY, Math.max(1, this.options.priorityStep ?? 10)), rules: [], signatures: new Set() };
        this.targets.set(loc.target.key, entry);
      }
      entry.alloc.addNsg(nsg);
      this.located.set(check, entry.target);
    }
  }

  /** Plans the rules for requirements of one NSG (ids it fixes go to `fixed`, the others to `skipped`). */
  plan(check: NsgCheck, verdicts: readonly RequirementVerdict[]): void {
    const where = this.located.get(check);
    const name = check.nsg.name;
    for (const v of verdicts) {
      if (v.verdict === 'unknown') {
        this.skipped.push({ nsg: name, requirementId: v.id, reason: `its verdict is unknown${v.unknownBecause?.length ? ` (${v.unknownBecause.join('; ')})` : ''}` });
        continue;
      }
      if (!needsFix(v, this.options)) continue;
      if (where === undefined || typeof where === 'string') {
        this.skipped.push({ nsg: name, requirementId: v.id, reason: where ?? 'the NSG was not prepared' });
        continue;
      }
      const entry = this.targets.get(where.key)!;
      const need = needOf(check, v, where.location);
      if (typeof need === 'string') {
        this.skipped.push({ nsg: name, requirementId: v.id, reason: need });
        continue;
      }
      const planned: NewRule[] = [];
      let failed: string | undefined;
      for (const r of need.rules) {
        // An NSG sharing its declaration with one already fixed may need the same rule: written once.
        const signature = signatureOf({ direction: need.direction, ...r });
        const existing = entry.signatures.has(signature) ? entry.rules.find((x) => signatureOf(x) === signature) : undefined;
        if (existing && existing.priority < need.limit) continue;
        const priority = entry.alloc.priority(need.direction, need.limit);
        if (priority === undefined) {
          failed = `no free priority from ${this.options.priorityStart ?? MIN_PRIORITY} in steps of ${this.options.priorityStep ?? 10} below ${Math.min(need.limit, MAX_PRIORITY + 1)}${need.limit < 65500 ? ' (the rule that blocks it)' : ''}`;
          break;
        }
        const base = `${this.options.namePrefix ?? 'AllowAzureML'}${r.tag.replace(/[^A-Za-z0-9]/g, '')}${need.direction}`;
        planned.push({ name: base, priority, direction: need.direction, protocol: r.protocol, ports: r.ports, remote: r.remote, description: describe(v) });
      }
      if (failed !== undefined) {
        for (const p of planned) entry.alloc.release(p.direction, p.priority);
        this.skipped.push({ nsg: name, requirementId: v.id, reason: failed });
        continue;
      }
      for (const p of planned) {
        const rule = { ...p, name: entry.alloc.name(p.name) };
        entry.rules.push(rule);
        entry.signatures.add(signatureOf(rule));
        this.rules.push({ name: rule.name, priority: rule.priority, direction: rule.direction });
      }
      if (!this.fixed.includes(v.id)) this.fixed.push(v.id);
    }
  }

  edits(): TextEdit[] {
    const out: TextEdit[] = [];
    for (const { target, rules } of this.targets.values()) if (rules.length > 0) out.push(...target.render(rules));
    return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start));
  }
}

function signatureOf(r: Pick<NewRule, 'direction' | 'protocol' | 'ports' | 'remote'>): string {
  return `${r.direction}|${r.protocol}|${r.ports.join(',')}|${JSON.stringify(r.remote)}`;
}

function describe(v: RequirementVerdict): string {
  const text = `Azure ML (amlnet ${v.id}): ${v.spec.purpose.split(/(?<=\.)\s/)[0]}`;
  return text.length > 140 ? `${text.slice(0, 137)}...` : text;
}

function skippedTitle(s: Skipped): string {
  return `Cannot fix ${s.requirementId} on ${s.nsg}: ${s.reason}`;
}

/** One fix per failing requirement of an NSG (each valid on its own), and a title-only fix per requirement that cannot be fixed. */
export function fixesForNsg(check: NsgCheck, files: ReadonlyMap<string, string>, options: FixOptions = {}): Fix[] {
  const out: Fix[] = [];
  for (const v of check.verdicts) {
    if (v.verdict !== 'unknown' && !needsFix(v, options)) continue;
    const batch = new Batch(files, options);
    batch.prepare([check]);
    batch.plan(check, [v]);
    if (batch.fixed.length === 0) {
      out.push({ requirementIds: [v.id], title: skippedTitle(batch.skipped[0] ?? { nsg: check.nsg.name, requirementId: v.id, reason: 'nothing to add' }), edits: [], rules: [], skipped: batch.skipped });
      continue;
    }
    out.push({
      requirementIds: [v.id],
      title: `Add ${batch.rules.map((r) => `${r.name} (${r.direction} ${r.priority})`).join(' and ')} to ${check.nsg.name} for ${v.id}`,
      edits: batch.edits(),
      rules: batch.rules,
      skipped: [],
    });
  }
  return out;
}

function batchFix(checks: readonly NsgCheck[], files: ReadonlyMap<string, string>, options: FixOptions, what: string): Fix {
  const batch = new Batch(files, options);
  batch.prepare(checks);
  for (const c of checks) batch.plan(c, c.verdicts);
  const edits = batch.edits();
  const title = batch.rules.length > 0
    ? `Add ${batch.rules.length} Azure ML rule${batch.rules.length === 1 ? '' : 's'} to ${what}${batch.skipped.length ? ` (${batch.skipped.length} requirement${batch.skipped.length === 1 ? '' : 's'} not fixable)` : ''}`
    : batch.skipped.length ? `Nothing can be added to ${what}: ${batch.skipped.map(skippedTitle).join('; ')}` : `${what}: nothing to fix`;
  return { requirementIds: batch.fixed, title, edits, rules: batch.rules, skipped: batch.skipped };
}

/** Every failing requirement of one NSG, in one fix: priorities and names allocated without collisions. */
export function fixAllForNsg(check: NsgCheck, files: ReadonlyMap<string, string>, options: FixOptions = {}): Fix {
  return batchFix([check], files, options, check.nsg.name);
}

/** Every failing requirement of every NSG declared in `file` (in scope, unless asked), in one fix. */
export function fixAllForFile(checks: readonly NsgCheck[], files: ReadonlyMap<string, string>, file: string, options: FixOptions = {}): Fix {
  const mine = checks.filter((c) => c.nsg.span?.file === file && (c.inScope || options.includeOutOfScope === true));
  return batchFix(mine, files, options, file);
}

/** Every failing requirement of every NSG given, across files. */
export function fixAll(checks: readonly NsgCheck[], files: ReadonlyMap<string, string>, options: FixOptions = {}): Fix {
  const mine = checks.filter((c) => c.inScope || options.includeOutOfScope === true);
  return batchFix(mine, files, options, `${mine.length} NSG${mine.length === 1 ? '' : 's'}`);
}
