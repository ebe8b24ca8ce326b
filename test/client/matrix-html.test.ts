import * as assert from 'node:assert/strict';
import { escapeHtml, matrixHtml, parseMatrixMessage, verdictClass } from '../../src/client/matrix-html';
import { VERDICTS } from '../../src/client/report-view';
import { everyVerdictNsg, examplesReport, nsg, report, requirement } from './report-builders';

const NONCE = 'bm9uY2UtdmFs';

function render(r = report([everyVerdictNsg()]), onlyFailing = false): string {
  return matrixHtml({ report: r, indexing: false, onlyFailing, nonce: NONCE });
}

/** The rows of the table body as [row header text, cell classes]. */
function rows(html: string): { name: string; classes: string[]; rowClass: string }[] {
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr class="([^"]*)">(.*?)<\/tr>/g)].map((m) => ({
    rowClass: m[1],
    name: /<th[^>]*>([^<]*)/.exec(m[2])?.[1] ?? '',
    classes: [...m[2].matchAll(/<td class="([^"]*)"/g)].map((c) => c[1]),
  }));
}

describe('client matrix HTML', () => {
  it('has a strict content security policy: nothing but nonce-carrying styles and scripts', () => {
    const html = render();
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    assert.equal(csp, `default-src 'none'; style-src 'nonce-${NONCE}'; script-src 'nonce-${NONCE}';`);
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    const styles = [...html.matchAll(/<style([^>]*)>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 1);
    assert.equal(styles.length, 1);
    for (const attrs of [...scripts, ...styles]) assert.equal(attrs, ` nonce="${NONCE}"`);
    assert.ok(!/\s(src|href)=/.test(html), 'no resource is loaded');
    assert.ok(!/\sstyle=/.test(html), 'no inline style attribute (the CSP would block it)');
    assert.ok(!/\son[a-z]+=/.test(html), 'no inline event handler');
  });

  it('gives every verdict its class, a CSS rule in a theme colour, and a glyph besides the colour', () => {
    const html = render();
    const [row] = rows(html);
    assert.deepEqual(row.classes.sort(), VERDICTS.map(verdictClass).sort());
    for (const v of VERDICTS) {
      const css = new RegExp(`\\.${verdictClass(v)} \\{ color: var\\(--vscode-[A-Za-z.-]+`).exec(html);
      assert.ok(css, `no CSS rule for ${v}`);
    }
    assert.ok(html.includes('.v-allowed { color: var(--vscode-testing-iconPassed'));
    assert.ok(html.includes('.v-blocked { color: var(--vscode-problemsErrorIcon-foreground, var(--vscode-errorForeground))'));
    assert.ok(/<td class="v-blocked"[^>]*>✗<\/td>/.test(html));
  });

  it('makes cells keyboard-reachable with one tab stop, titles, and the deciding rule to reveal', () => {
    const html = render();
    const table = /<table[\s\S]*<\/table>/.exec(html)?.[0] ?? '';
    assert.equal((table.match(/tabindex="0"/g) ?? []).length, 1);
    const blocked = /<td class="v-blocked"([^>]*)>/.exec(html)?.[1] ?? '';
    assert.match(blocked, /role="gridcell"/);
    assert.match(blocked, /tabindex="-1"/);
    assert.match(blocked, /title="nsg-all · aml-in-batch-node-management \(Inbound, TCP 443 · Storage\): Blocked\. blocked explanation of aml-in-batch-node-management\."/);
    assert.match(blocked, /data-uri="file:\/\/\/repo\/infra\/network\.bicep" data-line="40"/);
    assert.match(html, /case 'Enter': case ' ': activate\(el\)/);
  });

  it('puts NSGs in rows and requirements in columns, inbound first, for the examples', () => {
    const html = render(examplesReport());
    assert.deepEqual(rows(html).map((r) => [r.name, r.rowClass]), [
      ['nsg-mlw-mlops-prod-training', 'in-scope'],
      ['nsg-contoso-aml-compute', 'in-scope'],
      ['nsg-contoso-private-endpoints', 'out-of-scope'],
    ]);
    const columns = [...html.matchAll(/<th class="col"[^>]*><span>([^<]*)<\/span>/g)].map((m) => m[1]);
    assert.equal(columns.length, 13);
    assert.deepEqual(columns.slice(0, 4), ['aml-in-batch-node-management', 'aml-in-azure-machine-learning', 'aml-in-vnet-batch', 'aml-in-load-balancer']);
    assert.ok(columns.slice(4).every((c) => c.startsWith('aml-out-')));
    assert.ok(/position: sticky; top: 0/.test(html), 'sticky header');
  });

  it('keeps only NSGs with failing requirements when filtered', () => {
    const html = render(examplesReport(), true);
    assert.deepEqual(rows(html).map((r) => r.name), ['nsg-mlw-mlops-prod-training', 'nsg-contoso-aml-compute']);
    const met = render(report([nsg('nsg-ok', [requirement('aml-out-storage', 'allowed')])]), true);
    assert.ok(met.includes('Every requirement in scope is met.'));
    assert.ok(!met.includes('<script'), 'no script when there is no table');
  });

  it('escapes names, explanations and URIs', () => {
    const evil = nsg('<img src=x onerror=alert(1)>', [requirement('aml-out-storage', 'blocked', { explanation: '"quoted" & <b>' })], { file: 'file:///x/a"b.bicep' });
    const html = render(report([evil]));
    assert.ok(!html.includes('<img'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(html.includes('&quot;quoted&quot; &amp; &lt;b&gt;'));
    assert.ok(html.includes('data-uri="file:///x/a&quot;b.bicep"'));
    assert.equal(escapeHtml(`<a href='x'>&</a>`), '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('shows a loading state before the first report', () => {
    const html = matrixHtml({ report: undefined, indexing: true, onlyFailing: false, nonce: NONCE });
    assert.ok(html.includes('Reading templates…'));
    assert.ok(html.includes(`default-src 'none'`));
  });

  it('honours reveal messages only for files in the report', () => {
    const r = examplesReport();
    const uri = 'file:///work/amlnet-examples/arm/azuredeploy.json';
    assert.deepEqual(parseMatrixMessage({ type: 'reveal', uri, line: 294 }, r), { type: 'reveal', uri, line: 294 });
    assert.deepEqual(parseMatrixMessage({ type: 'reveal', uri, line: 2.5 }, r), { type: 'reveal', uri });
    assert.equal(parseMatrixMessage({ type: 'reveal', uri: 'file:///etc/passwd', line: 1 }, r), undefined);
    assert.equal(parseMatrixMessage({ type: 'run', uri }, r), undefined);
    assert.equal(parseMatrixMessage('reveal', r), undefined);
    assert.equal(parseMatrixMessage({ type: 'reveal', uri }, undefined), undefined);
  });
});
