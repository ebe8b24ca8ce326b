// `npm run screenshot`: the product's picture for the README, taken the way a person sees it.
// Starts code-server like the tests do (scripts/code-server.mjs) with a temp copy of examples/
// and this repository as the extension under development (no test payload), opens the ARM
// example at its NSG, shows the Azure ML Network sidebar (Workspace tree) and the Problems panel,
// waits (bounded, on DOM elements) until diagnostics render, and saves media/screenshot.png.
// Expects dist/ (npm run build). Options: --out FILE, --width N, --height N.
/* global document, requestAnimationFrame */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  keepVscodeLogs, logDir, makeSandbox, missingPrerequisites, openBrowser, removeSandbox, repoRoot, startCodeServer, tail, workbenchUrl,
} from './code-server.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(repoRoot, 'media/screenshot.png') },
    width: { type: 'string', default: '1400' },
    height: { type: 'string', default: '900' },
  },
});
const width = Number(values.width);
const height = Number(values.height);
const serverLog = join(logDir, 'screenshot-code-server.log');
const browserLog = join(logDir, 'screenshot-browser.log');
const say = (msg) => console.log(`[screenshot] ${msg}`);

const missing = missingPrerequisites();
if (missing.length) {
  console.error(`[screenshot] missing: ${missing.join('; ')}. Run: node scripts/e2e-setup.mjs`);
  process.exit(1);
}

/** The file and line the picture shows: the ARM NSG, whose rules have a blocked and a partial requirement. */
const FILE = 'azuredeploy.json';
const LINE = 76;

const settings = {
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.activityBar.location': 'default',
  'workbench.editor.enablePreview': false,
  'editor.fontSize': 13,
  'editor.lineHeight': 19,
  'editor.renderWhitespace': 'none',
  'editor.stickyScroll.enabled': false,
  'editor.hover.enabled': false,
  'breadcrumbs.enabled': true,
  'problems.defaultViewMode': 'tree',
};

/** Runs a command by its title from the Command Palette (F1). */
async function runCommand(page, title) {
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('F1');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** Widens the sidebar to at least `width` pixels, a step at a time. */
async function widenSidebar(page, width) {
  await runCommand(page, 'View: Focus into Primary Side Bar');
  for (let i = 0; i < 8; i++) {
    const box = await page.locator('.part.sidebar').boundingBox();
    if (!box || box.width >= width) return;
    await runCommand(page, 'Increase Current View Size');
  }
}

let sandbox;
let server;
let browser;
let failed = false;
const stopAll = async () => {
  await browser?.close();
  await server?.stop();
  if (sandbox) {
    keepVscodeLogs(sandbox, join(logDir, 'screenshot-vscode'));
    removeSandbox(sandbox);
  }
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => { stopAll().finally(() => process.exit(130)); });
}

try {
  sandbox = makeSandbox('amlnet-screenshot-');
  server = await startCodeServer({ sandbox, settings, logFile: serverLog });
  say(`code-server ${server.baseUrl} (pid ${server.pid})`);
  browser = await openBrowser({ sandbox, width, height, logFile: browserLog });
  const { page } = browser;
  page.setDefaultTimeout(60_000);
  await page.goto(workbenchUrl(server, { folder: sandbox.workspace }), { waitUntil: 'domcontentloaded' });

  // The workbench, with the extension's view container in the activity bar.
  await page.locator('.monaco-workbench .part.activitybar').waitFor();
  const container = page.locator('.part.activitybar .action-item a[aria-label^="Azure ML Network"]');
  await container.waitFor();

  // The sidebar: Azure ML Network, wider than its default; the Requirements view collapsed so the
  // Workspace tree (failing NSGs start expanded) has the height.
  await runCommand(page, 'View: Show Azure ML Network');
  const workspacePane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Workspace/ }) });
  const requirementsHeader = page.locator('.pane-header[aria-expanded="true"]', { hasText: /^Requirements/ });
  await workspacePane.locator('.monaco-list-row').first().waitFor();
  if (await requirementsHeader.count()) await requirementsHeader.first().click();
  await widenSidebar(page, 440);
  const rows = workspacePane.locator('.monaco-list-row');
  await rows.filter({ hasText: 'nsg-contoso-aml-compute' }).first().waitFor();
  await rows.filter({ hasText: 'aml-out-azure-monitor' }).first().waitFor();

  // Then open the example file at its NSG (Quick Open, then Go to Line): after the server is
  // ready, so its CodeLens is there on the first request.
  const palette = page.locator('.quick-input-widget input');
  await page.keyboard.press('Control+P');
  await palette.waitFor();
  await palette.fill(FILE);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: FILE }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab[aria-label*="${FILE}"]`).waitFor();
  await page.locator('.monaco-editor .view-lines').first().waitFor();
  await page.keyboard.press('Control+G');
  await palette.waitFor();
  await palette.fill(`:${LINE}`);
  await page.keyboard.press('Enter');

  // The Problems panel, with amlnet's diagnostics; the editor's squiggles.
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'aml-out-key-vault' }).first().waitFor();
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'network.bicep' }).first().waitFor();
  await page.locator('.monaco-editor .squiggly-error').first().waitFor();
  // The NSG's CodeLens ("Azure ML: 9 of 11 requirements met ..."). The server may answer the
  // first CodeLens request with nothing while it is still checking the file just opened (and does
  // not ask VS Code to refresh): then an edit and its undo make VS Code ask again.
  const codeLens = page.locator('.monaco-editor .codelens-decoration', { hasText: 'Azure ML' }).first();
  const lensShown = () => codeLens.waitFor({ timeout: 10_000 }).then(() => true, () => false);
  if (!await lensShown()) {
    say('no CodeLens after 10 s; asking again (an edit and its undo)');
    await page.keyboard.press('Control+1');
    await page.keyboard.type(' ');
    await page.keyboard.press('Control+Z');
    if (!await lensShown()) say('note: still no amlnet CodeLens; taking the picture without it');
  }

  // Focus the editor (Ctrl+1; a click would let Playwright scroll the editor's own layers) so no
  // list selection or input box draws attention; the mouse rests over the text (hovers are off).
  await page.keyboard.press('Control+1');
  const editor = await page.locator('.monaco-editor .view-lines').first().boundingBox();
  if (editor) await page.mouse.move(editor.x + editor.width * 0.7, editor.y + editor.height * 0.6);
  await page.evaluate(() => document.querySelectorAll('.notification-toast-container').forEach((e) => e.remove()));
  // Let pending layout and fonts settle: two animation frames, not a fixed sleep.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: values.out });
  say(`saved ${values.out} (${width}x${height})`);
} catch (e) {
  failed = true;
  console.error(`[screenshot] FAILED: ${e.stack ?? e.message}`);
  try {
    const debug = join(logDir, 'screenshot-failure.png');
    await browser?.page.screenshot({ path: debug });
    console.error(`[screenshot] what the page showed: ${debug}`);
  } catch { /* no page */ }
  console.error(`[screenshot] last lines of ${serverLog}:\n${tail(serverLog, 20)}`);
} finally {
  await stopAll();
}
process.exit(failed ? 1 : 0);
