import type { CheckReport, ReportNsg, ReportOption, ReportRequirement } from '../core/check/check-report';
import type { VerdictKind } from '../core/verdict';
import { at, firewallLines, MARK as FIREWALL_MARK, orphanFirewallLines } from './format-firewall-text';

// The text form of `amlnet check`: VNet > subnet > NSG, then each requirement with its verdict and
// the file:line of the rule that decided it, as a CI log or a terminal shows it.

const MARK: Record<VerdictKind, string> = { ...FIREWALL_MARK, 'allowed-by-default': 'default' };

function option<T>(name: string, o: ReportOption<T>, show: (v: T) => string): string {
  // A value the template leaves to deployment: unknown, or the user's value standing in for it.
  const from = o.origin === 'template'
    ? `from ${o.from}${at(o.file, o.line)}${o.reason ? `: ${o.reason}` : ''}`
    : `${o.origin}${o.reason ? `, as ${o.from}${at(o.file, o.line)} does not tell: ${o.reason}` : ''}`;
  // A symbolic NSG location the user's region stands for: `region location = eastus [...]`.
  const taken = o.takenAs !== undefined ? ` = ${o.takenAs}` : '';
  const takenFrom = o.takenAs !== undefined ? `; ${o.takenAs} from the ${o.takenAsOrigin === 'flag' ? '--region flag' : o.takenAsOrigin}` : '';
  return `${name} ${o.value === null ? 'unknown' : show(o.value)}${taken} [${from}${takenFrom}]`;
}

/** Where the user rules that decided something are written: " [main.bicep:12, main.bicep:30]". */
function places(rules: readonly { default: boolean; file?: string; line?: number }[]): string {
  const seen = [...new Set(rules.filter((d) => !d.default && d.file).map((d) => `${d.file}${d.line ? `:${d.line}` : ''}`))];
  return seen.length ? ` [${seen.join(', ')}]` : '';
}

function requirementLines(r: ReportRequirement, indent: string, verbose: boolean): string[] {
  const split = r.ports.length > 1 && (r.verdict === 'partial' || r.verdict === 'unknown' || verbose);
  const lines = [`${indent}${MARK[r.verdict]} ${r.id}${r.suppressed ? ' (suppressed)' : ''}: ${r.explanation}${split ? '' : places(r.decidedBy)}`];
  if (split) {
    for (const p of r.ports) {
      lines.push(`${indent}          ${p.protocol.toUpperCase()} ${p.ports} ${r.direction === 'Inbound' ? 'from' : 'to'} ${p.remote}: ${p.outcome}${places(p.decidedBy)}`);
    }
  }
  return lines;
}

/**
 * Which entry template the NSG was read for, when several were and it is written in another file
 * (a module): two entries calling one module give two NSGs written at the same place.
 */
function of(n: ReportNsg): string {
  return n.deployment !== undefined && n.deployment !== n.file ? ` [deployed by ${n.deployment}]` : '';
}

function nsgLines(n: ReportNsg, indent: string, verbose: boolean): string[] {
  if (!n.inScope && !verbose) {
    return [`${indent}NSG ${n.name}${at(n.file, n.line)}${of(n)}: not in scope (${n.scopeReasons.join('; ')}); --scope all checks it`];
  }
  const lines = [`${indent}NSG ${n.name}${at(n.file, n.line)}${of(n)}${n.inScope ? '' : ' (not in scope: verdicts shown, not counted)'}`];
  const inner = `${indent}  `;
  lines.push(`${inner}${n.inScope ? 'in scope: ' : 'scope: '}${n.scopeReasons.join('; ')}`);
  lines.push(`${inner}options: ${[
    option('public IP', n.options.publicIp, (v) => (v ? 'yes' : 'no')),
    option('hbi', n.options.hbi, (v) => (v ? 'yes' : 'no')),
    option('region', n.options.region, (v) => v ?? 'not known'),
  ].join(', ')}`);
  for (const direction of ['Inbound', 'Outbound'] as const) {
    const reqs = n.requirements.filter((r) => r.direction === direction && (verbose || r.verdict !== 'not-applicable'));
    if (!reqs.length) continue;
    lines.push(`${inner}${direction}`);
    for (const r of reqs) lines.push(...requirementLines(r, `${inner}  `, verbose));
  }
  for (const f of n.findings) lines.push(`${inner}${f.severity === 'error' ? 'ERROR  ' : 'warning'} ${f.code}${f.suppressed ? ' (suppressed)' : ''}: ${f.message}${at(f.file, f.line)}`);
  return lines;
}

/** The report as text; `verbose` also shows NSGs out of scope in full, not-applicable requirements and every port. */
export function formatCheckText(report: CheckReport, verbose = false): string {
  const lines: string[] = [];
  // VNet > subnet > NSG: an NSG on several subnets is shown under each; NSGs on none at the end.
  const bySubnet = new Map<string, { vnet: string | null; subnet: string; nsgs: ReportNsg[] }>();
  const orphans: ReportNsg[] = [];
  for (const n of report.nsgs) {
    if (!n.subnets.length) orphans.push(n);
    for (const s of n.subnets) {
      const key = `${s.vnet ?? '?'}/${s.name}`;
      const entry = bySubnet.get(key) ?? { vnet: s.vnet, subnet: s.name, nsgs: [] };
      entry.nsgs.push(n);
      bySubnet.set(key, entry);
    }
  }
  const byVnet = new Map<string, { subnet: string; nsgs: ReportNsg[] }[]>();
  for (const e of bySubnet.values()) {
    const list = byVnet.get(e.vnet ?? '(VNet not known)') ?? [];
    list.push(e);
    byVnet.set(e.vnet ?? '(VNet not known)', list);
  }
  for (const [vnet, subnets] of byVnet) {
    lines.push(`VNet ${vnet}`);
    for (const s of subnets) {
      lines.push(`  Subnet ${s.subnet}`);
      for (const n of s.nsgs) lines.push(...nsgLines(n, '    ', verbose));
      lines.push(...firewallLines(report, vnet === '(VNet not known)' ? null : vnet, s.subnet, '    ', verbose));
    }
    lines.push('');
  }
  lines.push(...orphanFirewallLines(report, new Set(bySubnet.keys()), verbose));
  if (orphans.length) {
    lines.push('NSGs on no subnet');
    for (const n of orphans) lines.push(...nsgLines(n, '  ', verbose));
    lines.push('');
  }
  if (report.problems.length) {
    lines.push('Problems reading the templates');
    for (const p of report.problems) lines.push(`  ${p.severity}: ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`);
    lines.push('');
  }
  const inScope = report.nsgs.filter((n) => n.inScope).length;
  const s = report.summary;
  lines.push(`Edition ${report.edition}${report.strict ? ', strict' : ''}: ${report.nsgs.length} NSG${report.nsgs.length === 1 ? '' : 's'} read, ${inScope} in scope. `
    + `In scope: ${s.allowed} allowed, ${s['allowed-by-default']} allowed by default, ${s.blocked} blocked, ${s.partial} partial, ${s.unknown} unknown, ${s['not-applicable']} not applicable.`);
  const fw = (report.firewalls ?? []).filter((f) => f.inScope);
  if (fw.length) {
    const count = (k: string) => fw.reduce((n, f) => n + f.requirements.filter((q) => q.verdict === k).length, 0);
    lines.push(`Firewalls: ${fw.length} subnet${fw.length === 1 ? '' : 's'} in scope routed through an appliance: ${count('allowed')} allowed, ${count('blocked')} blocked, ${count('partial')} partial, ${count('unknown')} unknown.`);
  }
  lines.push(report.failing ? 'Result: FAIL (a requirement in scope is blocked or partial' + (report.strict ? ', or allowed only by default' : '') + ')' : 'Result: PASS');
  return `${lines.join('\n')}\n`;
}
