// Records, or compares against a recording, everything the readers and the check produce for a
// fixed corpus, so a change made for speed can be shown to change no output at all.
//
//   npm run -s compile && node out/scripts/snapshot-outputs.js record  [--dir D]
//   npm run -s compile && node out/scripts/snapshot-outputs.js compare [--dir D]
//
// The corpus: every template folder under test/fixtures/ and examples/ (each read as one
// workspace), and the benchmarks' generated Bicep and ARM files (0.05, 0.5 and 1 MB, several
// seeds). For each it writes the whole model (every element with its spans, links and problems)
// and the check result, as canonical JSON, one file per case. `compare` reports the first
// differing line of each case that differs and exits 1 when any does.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { armTemplateReader } from '../src/core/arm/arm-template-reader';
import { bicepReader } from '../src/core/bicep/bicep-reader';
import { defaultOptions, getEdition } from '../src/core/catalog/catalog';
import { checkModel, type CheckSettings } from '../src/core/check/check-model';
import { readWorkspace, type FileHost, type SourceFile } from '../src/core/read/read-workspace';
import { benchHost, generateArmTemplate, generateBicepTemplate } from '../bench/check-bench';
import { repoRoot } from './repo-root';

const READERS = [bicepReader, armTemplateReader];
const TEMPLATE = /\.(json|jsonc|bicep|bicepparam)$/i;

/** Canonical JSON of any value: Maps and Sets as arrays, class instances by their fields (or their `toJSON`), a cycle named by the path it returns to (shared objects are written out at each place, so sharing or copying changes nothing). */
function canonical(value: unknown): string {
  const seen = new Map<object, string>();
  const walk = (v: unknown, at: string): unknown => {
    if (v === undefined) return '<undefined>';
    if (typeof v === 'number' && !Number.isFinite(v)) return `<${String(v)}>`;
    if (typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function') return `<${typeof v}>`;
    if (v === null || typeof v !== 'object') return v;
    const first = seen.get(v);
    if (first !== undefined) return `<cycle to ${first}>`;
    seen.set(v, at);
    if (v instanceof Map) return { '<map>': [...v.entries()].map(([k, x], i) => [walk(k, `${at}.k${i}`), walk(x, `${at}.v${i}`)]) };
    if (v instanceof Set) return { '<set>': [...v].map((x, i) => walk(x, `${at}[${i}]`)) };
    if (ArrayBuffer.isView(v)) return { '<typed>': Array.from(v as unknown as ArrayLike<number>) };
    // An object that stands for a plain one (a rule origin made lazily) is recorded as JSON would write it.
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function' && !Array.isArray(v)) {
      seen.delete(v);
      return walk(toJSON.call(v), at);
    }
    try {
      if (Array.isArray(v)) return v.map((x, i) => walk(x, `${at}[${i}]`));
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = walk((v as Record<string, unknown>)[k], `${at}.${k}`);
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return JSON.stringify(walk(value, '$'), null, 1);
}

interface Case {
  readonly name: string;
  readonly files: readonly SourceFile[];
  readonly host: FileHost;
}

function folderCases(root: string): Case[] {
  const cases: Case[] = [];
  const visit = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    const files = entries.filter((e) => e.isFile() && TEMPLATE.test(e.name) && !e.name.endsWith('.expected.json'));
    if (files.length > 0) {
      const rel = path.relative(root, dir).split(path.sep).join('/');
      const texts = new Map<string, string>();
      for (const f of files) texts.set(f.name, fs.readFileSync(path.join(dir, f.name), 'utf8'));
      const host: FileHost = {
        readFile: (p) => {
          if (texts.has(p)) return texts.get(p);
          try {
            return fs.readFileSync(path.join(dir, p), 'utf8');
          } catch {
            return undefined;
          }
        },
      };
      // Each fixture file alone (as the fixture tests read them) and the folder as one workspace.
      for (const [name, text] of texts) cases.push({ name: `${rel}/${name}`, files: [{ path: name, text }], host });
      cases.push({ name: `${rel}/(folder)`, files: [...texts].map(([p, text]) => ({ path: p, text })), host });
    }
    for (const e of entries) if (e.isDirectory()) visit(path.join(dir, e.name));
  };
  visit(root);
  return cases;
}

function corpus(): Case[] {
  const root = repoRoot();
  const cases: Case[] = [];
  for (const d of ['test/fixtures', 'examples']) cases.push(...folderCases(path.join(root, d)).map((c) => ({ ...c, name: `${d}/${c.name}` })));
  const host = benchHost();
  for (const mb of [0.05, 0.5, 1]) {
    for (const seed of mb === 1 ? [1] : [1, 2, 3]) {
      cases.push({ name: `generated/bicep-${mb}-${seed}`, files: [{ path: 'main.bicep', text: generateBicepTemplate(mb, seed) }], host });
      cases.push({ name: `generated/arm-${mb}-${seed}`, files: [{ path: 'azuredeploy.json', text: generateArmTemplate(mb, seed) }], host });
    }
  }
  return cases;
}

function settingsVariants(): { name: string; settings: CheckSettings }[] {
  const edition = getEdition('2022-09');
  return [
    { name: 'auto', settings: { edition, options: defaultOptions(), origins: {}, scope: 'auto', strict: false } },
    { name: 'all-strict-2025', settings: { edition: getEdition('2025-02'), options: { ...defaultOptions(), publicIp: false }, origins: {}, scope: 'all', strict: true } },
  ];
}

function fileName(c: string): string {
  return `${c.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`;
}

function main(argv: readonly string[]): number {
  const mode = argv[0];
  const dirFlag = argv.indexOf('--dir');
  const dir = dirFlag >= 0 ? argv[dirFlag + 1] : path.join(os.tmpdir(), 'amlnet-snapshot');
  if (mode !== 'record' && mode !== 'compare') {
    console.error('usage: snapshot-outputs record|compare [--dir D]');
    return 2;
  }
  fs.mkdirSync(dir, { recursive: true });
  let differing = 0;
  let count = 0;
  for (const c of corpus()) {
    const model = readWorkspace(c.files, c.host, READERS);
    const results = settingsVariants().map((v) => ({ settings: v.name, result: checkModel(model, v.settings) }));
    const text = canonical({ model, results });
    const file = path.join(dir, fileName(c.name));
    count++;
    if (mode === 'record') {
      fs.writeFileSync(file, text);
      continue;
    }
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (old === text) continue;
    differing++;
    if (old === undefined) {
      console.log(`${c.name}: no recording`);
      continue;
    }
    const a = old.split('\n');
    const b = text.split('\n');
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    console.log(`${c.name}: differs at line ${i + 1}\n  recorded: ${a[i] ?? '<end>'}\n  now:      ${b[i] ?? '<end>'}`);
  }
  console.log(`${mode === 'record' ? 'recorded' : 'compared'} ${count} cases in ${dir}${mode === 'compare' ? `: ${differing} differ` : ''}`);
  return differing > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
