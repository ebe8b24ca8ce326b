// The verdict matrix's HTML: NSGs as rows, requirements as columns, one cell per verdict in the
// theme's colours. Pure (the webview panel only sets it), so the CSP, the classes and the
// escaping are unit-tested. One plain table with a sticky header and first column stays usable
// with hundreds of NSGs; as in the ARIA grid pattern, a roving tabindex keeps it to one tab stop,
// arrow keys move between cells, Enter or Space opens the cell's rule.

import type { CheckReport, ReportNsg } from '../core/check/check-report';
import type { VerdictKind } from '../core/verdict';
import type { ReportFirewallSubnet } from '../core/firewall/firewall-report';
import { failingFirewallRequirements, firewallDecidingTarget, firewallLabel, firewallPortsText, firewallTarget } from './firewall-tree';
import {
  decidingTarget,
  defaultDisplayPath,
  failingRequirements,
  nsgTarget,
  portsAndTag,
  requirementColumns,
  VERDICTS,
  verdictStyle,
  type DisplayPath,
  type Target,
} from './report-view';

/** What the webview posts when a cell or an NSG is activated. */
export interface MatrixRevealMessage {
  readonly type: 'reveal';
  readonly uri: string;
  readonly line?: number;
}

export interface MatrixInput {
  /** undefined while the first report is awaited. */
  readonly report: CheckReport | undefined;
  readonly indexing: boolean;
  readonly onlyFailing: boolean;
  /** A fresh random value per render; the only way a style or script runs. */
  readonly nonce: string;
  readonly displayPath?: DisplayPath;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** The CSS class of a verdict's cell: `v-allowed`, `v-allowed-by-default`, ... */
export function verdictClass(verdict: VerdictKind): string {
  return `v-${verdict}`;
}

/** The theme colour of a verdict as a CSS variable (`testing.iconPassed` → `--vscode-testing-iconPassed`). */
function cssVar(colorId: string): string {
  return `--vscode-${colorId.replace(/\./g, '-')}`;
}

const FALLBACK: Readonly<Record<string, string>> = {
  'problemsErrorIcon.foreground': 'var(--vscode-errorForeground)',
  'problemsWarningIcon.foreground': 'var(--vscode-editorWarning-foreground)',
  'problemsInfoIcon.foreground': 'var(--vscode-editorInfo-foreground)',
  'testing.iconPassed': 'var(--vscode-charts-green)',
};

function colour(colorId: string): string {
  const fallback = FALLBACK[colorId];
  return `var(${cssVar(colorId)}${fallback ? `, ${fallback}` : ''})`;
}

function styles(strict: boolean): string {
  const verdictRules = VERDICTS.map((v) => {
    const c = colour(verdictStyle(v, strict).color);
    return `.${verdictClass(v)} { color: ${c}; background: color-mix(in srgb, ${c} 18%, transparent); }`;
  }).join('\n');
  return `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 12px 12px; }
h1 { font-size: 1.2em; font-weight: 600; margin: 12px 0 4px; }
p.summary { color: var(--vscode-descriptionForeground); margin: 0 0 8px; }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 0; margin: 0 0 10px; }
ul.legend li span { display: inline-block; min-width: 1.6em; text-align: center; border-radius: 3px; margin-right: 4px; }
table { border-collapse: separate; border-spacing: 0; }
thead th { position: sticky; top: 0; z-index: 2; background: var(--vscode-editor-background); vertical-align: bottom; padding: 4px 2px; font-weight: 500; }
thead th.col span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
th.row { position: sticky; left: 0; z-index: 1; background: var(--vscode-editor-background); text-align: left; font-weight: normal; padding: 2px 8px 2px 0; white-space: nowrap; max-width: 28em; overflow: hidden; text-overflow: ellipsis; }
thead th.corner { left: 0; z-index: 3; text-align: left; }
tr.out-of-scope th.row { color: var(--vscode-disabledForeground); font-style: italic; }
tr.out-of-scope td { opacity: 0.55; }
td { text-align: center; min-width: 1.8em; height: 1.6em; border: 1px solid var(--vscode-editorWidget-background, transparent); cursor: pointer; }
td.none { cursor: default; }
[data-uri]:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
th.row[data-uri] { cursor: pointer; text-decoration: underline dotted; }
.tag { color: var(--vscode-descriptionForeground); margin-left: 6px; }
${verdictRules}
`;
}

function script(): string {
  return `
const vscode = acquireVsCodeApi();
const table = document.getElementById('matrix');
if (table) {
  const activate = (el) => {
    if (!el.dataset.uri) return;
    vscode.postMessage({ type: 'reveal', uri: el.dataset.uri, line: el.dataset.line ? Number(el.dataset.line) : undefined });
  };
  const moveTo = (el) => {
    if (!el) return;
    for (const f of table.querySelectorAll('[tabindex="0"]')) f.setAttribute('tabindex', '-1');
    el.setAttribute('tabindex', '0');
    el.focus();
  };
  table.addEventListener('click', (e) => {
    const el = e.target.closest('[data-focus]');
    if (el) { moveTo(el); activate(el); }
  });
  table.addEventListener('keydown', (e) => {
    const el = e.target.closest('[data-focus]');
    if (!el) return;
    const row = el.parentElement;
    const index = Array.from(row.children).indexOf(el);
    const rowAt = (r) => r && r.children[Math.min(index, r.children.length - 1)];
    let next;
    switch (e.key) {
      case 'Enter': case ' ': activate(el); e.preventDefault(); return;
      case 'ArrowRight': next = el.nextElementSibling; break;
      case 'ArrowLeft': next = el.previousElementSibling; break;
      case 'ArrowDown': next = rowAt(row.nextElementSibling); break;
      case 'ArrowUp': next = rowAt(row.previousElementSibling); break;
      case 'Home': next = row.firstElementChild; break;
      case 'End': next = row.lastElementChild; break;
      default: return;
    }
    if (next && next.hasAttribute('data-focus')) { moveTo(next); e.preventDefault(); }
  });
  const state = vscode.getState();
  if (state) window.scrollTo(state.x, state.y);
  let pending = false;
  window.addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; vscode.setState({ x: window.scrollX, y: window.scrollY }); });
  });
}
`;
}

function targetAttrs(target: Target | undefined): string {
  if (!target) return '';
  return ` data-uri="${escapeHtml(target.uri)}"${target.line !== undefined ? ` data-line="${target.line}"` : ''}`;
}

function page(nonce: string, title: string, body: string, strict: boolean, withScript: boolean): string {
  const n = escapeHtml(nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${n}'; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<style nonce="${n}">${styles(strict)}</style>
</head>
<body>
${body}
${withScript ? `<script nonce="${n}">${script()}</script>` : ''}
</body>
</html>`;
}

function rowHtml(nsg: ReportNsg, columns: readonly { id: string }[], strict: boolean, displayPath: DisplayPath, first: boolean): string {
  const byId = new Map(nsg.requirements.map((r) => [r.id, r]));
  const failing = failingRequirements(nsg, strict).length;
  const target = nsgTarget(nsg);
  const place = nsg.file ? `${displayPath(nsg.file)}${nsg.line !== undefined ? `:${nsg.line}` : ''}` : '';
  const rowTitle = `${nsg.name}${place ? ` (${place})` : ''}: ${nsg.inScope ? (failing > 0 ? `${failing} failing` : 'every requirement met') : 'not in scope'}`;
  const cells = columns.map((c) => {
    const r = byId.get(c.id);
    if (!r) return `<td class="none" title="${escapeHtml(`${nsg.name} · ${c.id}: not evaluated`)}"></td>`;
    const style = verdictStyle(r.verdict, strict);
    const ports = portsAndTag(r);
    const title = `${nsg.name} · ${r.id} (${r.direction}${ports ? `, ${ports}` : ''}): ${style.label}. ${r.explanation}`;
    return `<td class="${verdictClass(r.verdict)}" role="gridcell" tabindex="-1" data-focus aria-label="${escapeHtml(`${r.id}: ${style.label}`)}" title="${escapeHtml(title)}"${targetAttrs(decidingTarget(nsg, r))}>${style.glyph}</td>`;
  }).join('');
  const rowHead = `<th scope="row" class="row" role="rowheader" tabindex="${first ? 0 : -1}" data-focus title="${escapeHtml(rowTitle)}"${targetAttrs(target)}>${escapeHtml(nsg.name)}${nsg.inScope ? '' : '<span class="tag">not in scope</span>'}</th>`;
  return `<tr class="${nsg.inScope ? 'in-scope' : 'out-of-scope'}">${rowHead}${cells}</tr>`;
}

/** A subnet's firewall as a row: its outbound and host-name verdicts in the same columns. */
function firewallRowHtml(s: ReportFirewallSubnet, columns: readonly { id: string }[], displayPath: DisplayPath, first: boolean): string {
  const byId = new Map(s.requirements.map((r) => [r.id, r]));
  const name = `${s.subnet} → ${s.firewall ? s.firewall.name : `next hop ${s.route.nextHopIp ?? s.route.nextHopType ?? '?'}`}`;
  const failing = failingFirewallRequirements(s).length;
  const target = firewallTarget(s);
  const place = target ? `${displayPath(target.uri)}${target.line !== undefined ? `:${target.line}` : ''}` : '';
  const rowTitle = `${firewallLabel(s)} for subnet ${s.subnet}${place ? ` (${place})` : ''}: ${s.inScope ? (failing > 0 ? `${failing} failing` : 'nothing failing') : 'not in scope'}`;
  const cells = columns.map((c) => {
    const r = byId.get(c.id);
    if (!r) return `<td class="none" title="${escapeHtml(`${name} · ${c.id}: not through a firewall`)}"></td>`;
    const style = verdictStyle(r.verdict, false);
    const title = `${name} · ${r.id} (${firewallPortsText(r)}): ${style.label}${r.suppressed ? ' (suppressed)' : ''}. ${r.explanation}`;
    return `<td class="${verdictClass(r.verdict)}" role="gridcell" tabindex="-1" data-focus aria-label="${escapeHtml(`${r.id}: ${style.label}`)}" title="${escapeHtml(title)}"${targetAttrs(firewallDecidingTarget(s, r))}>${style.glyph}</td>`;
  }).join('');
  const rowHead = `<th scope="row" class="row" role="rowheader" tabindex="${first ? 0 : -1}" data-focus title="${escapeHtml(rowTitle)}"${targetAttrs(target)}>${escapeHtml(name)}<span class="tag">firewall</span>${s.inScope ? '' : '<span class="tag">not in scope</span>'}</th>`;
  return `<tr class="firewall ${s.inScope ? 'in-scope' : 'out-of-scope'}">${rowHead}${cells}</tr>`;
}

/** The whole webview document. */
export function matrixHtml(input: MatrixInput): string {
  const title = 'Azure ML Network: verdict matrix';
  const report = input.report;
  if (!report || (input.indexing && report.nsgs.length === 0)) {
    return page(input.nonce, title, '<h1>Verdict matrix</h1><p class="summary">Reading templates…</p>', false, false);
  }
  const strict = report.strict;
  const displayPath = input.displayPath ?? defaultDisplayPath;
  const nsgs = input.onlyFailing ? report.nsgs.filter((n) => failingRequirements(n, strict).length > 0) : report.nsgs;
  const firewalls = (report.firewalls ?? []).filter((f) => !input.onlyFailing || failingFirewallRequirements(f).length > 0);
  // Host-name requirements are judged only by firewalls: their columns come last.
  const hostIds = [...new Set((report.firewalls ?? []).flatMap((f) => f.requirements.filter((r) => r.kind === 'host').map((r) => r.id)))];
  const columns = [...requirementColumns(report), ...hostIds.map((id) => ({ id, direction: 'Outbound' as const }))];
  const legend = `<ul class="legend" aria-label="Legend">${VERDICTS.map((v) => `<li><span class="${verdictClass(v)}">${verdictStyle(v, strict).glyph}</span>${escapeHtml(verdictStyle(v, strict).label)}</li>`).join('')}</ul>`;
  const failingCount = report.nsgs.filter((n) => failingRequirements(n, strict).length > 0).length;
  const summary = `<p class="summary">Edition ${escapeHtml(report.edition)}${strict ? ', strict mode' : ''}: ${report.nsgs.length} NSG${report.nsgs.length === 1 ? '' : 's'}, ${failingCount} failing${input.onlyFailing ? ' (showing only failing)' : ''}. Select a cell to open the rule that decides it.</p>`;
  if (nsgs.length === 0 && firewalls.length === 0) {
    const message = report.nsgs.length === 0 ? 'No network security groups found.' : 'Every requirement in scope is met.';
    return page(input.nonce, title, `<h1>Verdict matrix</h1>${summary}<p>${message}</p>`, strict, false);
  }
  const head = `<thead><tr><th class="corner" scope="col">NSG</th>${columns.map((c) => `<th class="col" scope="col" title="${escapeHtml(`${c.id} (${c.direction})`)}"><span>${escapeHtml(c.id)}</span></th>`).join('')}</tr></thead>`;
  const rows = [
    ...nsgs.map((n, i) => rowHtml(n, columns, strict, displayPath, i === 0)),
    ...firewalls.map((f, i) => firewallRowHtml(f, columns, displayPath, nsgs.length === 0 && i === 0)),
  ].join('\n');
  const table = `<table id="matrix" role="grid" aria-label="Verdicts per NSG and requirement">${head}<tbody>\n${rows}\n</tbody></table>`;
  return page(input.nonce, title, `<h1>Verdict matrix</h1>${summary}${legend}${table}`, strict, true);
}

/** Checks a message from the webview; only reveal messages for files in the report are honoured. */
export function parseMatrixMessage(message: unknown, report: CheckReport | undefined): MatrixRevealMessage | undefined {
  if (!report || typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  if (m.type !== 'reveal' || typeof m.uri !== 'string') return undefined;
  const known = new Set<string>();
  for (const n of report.nsgs) {
    if (n.file) known.add(n.file);
    for (const r of n.requirements) for (const d of [...r.decidedBy, ...r.ports.flatMap((p) => p.decidedBy)]) if (d.file) known.add(d.file);
  }
  for (const f of report.firewalls ?? []) {
    for (const file of [f.firewall?.file, f.route.file, f.file]) if (file) known.add(file);
    for (const r of f.requirements) for (const d of [...r.decidedBy, ...r.ports.flatMap((p) => p.decidedBy)]) if (d.file) known.add(d.file);
  }
  if (!known.has(m.uri)) return undefined;
  const line = typeof m.line === 'number' && Number.isInteger(m.line) && m.line > 0 ? m.line : undefined;
  return { type: 'reveal', uri: m.uri, ...(line !== undefined ? { line } : {}) };
}
