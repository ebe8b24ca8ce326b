// Mutation fuzzing of the Bicep and ARM readers and the check.
//
//   npm run fuzz -- --count 100000 --seed 42 [--timeout-ms 20000] [--case N]
//
// Every input is a mutation of a fixture under test/fixtures/templates/ or examples/ (byte edits,
// token deletions and duplications, line duplications, truncations, splices of two fixtures, a
// wrong extension), read with `readWorkspace` (both readers) and then checked with `checkModel`.
// A failure is: an exception out of readWorkspace or checkModel, a reader that threw inside (the
// "amlnet could not read this file" problem that readWorkspace and the readers turn throws into),
// a WorkspaceReader that, given the input as an edit of its fixture, reads a model other than
// readWorkspace's, or an input still running after --timeout-ms (a hang). Inputs run in a worker thread; the main
// thread watches its progress and, on a hang, terminates it, saves the input and restarts after
// it. Each failing input is written to a temporary file whose path is printed; input i of seed S
// is reproduced with `--seed S --case i`.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { armTemplateReader } from '../src/core/arm/arm-template-reader';
import { bicepReader } from '../src/core/bicep/bicep-reader';
import { defaultOptions, getEdition } from '../src/core/catalog/catalog';
import { checkModel } from '../src/core/check/check-model';
import { readWorkspace, type FileHost } from '../src/core/read/read-workspace';
import { WorkspaceReader } from '../src/core/read/workspace-reader';
import { mulberry32 } from '../test/support/seeded-random';
import { repoRoot } from './repo-root';

const CORPUS_DIRS = ['test/fixtures/templates', 'examples'];
const TEMPLATE = /\.(json|jsonc|bicep|bicepparam)$/i;

interface CorpusFile {
  readonly path: string;
  readonly text: string;
}

/** Every template under the corpus folders, expectations excluded, sorted so a seed means the same inputs everywhere. */
export function loadCorpus(root = repoRoot()): CorpusFile[] {
  const out: CorpusFile[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (TEMPLATE.test(e.name) && !e.name.endsWith('.expected.json')) out.push({ path: p, text: fs.readFileSync(path.join(root, p), 'utf8') });
    }
  };
  for (const d of CORPUS_DIRS) if (fs.existsSync(path.join(root, d))) walk(d);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mutations


function inputSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ index, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Characters that matter to the two languages, and a few that do not belong anywhere. */
const INTERESTING = ['{', '}', '[', ']', '(', ')', '\'', '"', '\\', '$', '$', '${', ':', ',', '.', '?', '!', '=', '@', '/', '*', '//', '/*', '*/',
  '\n', ' ', '\t', '\r', '0', '-1', '9999999999', 'null', 'true', '\'\'\'', '[[', '\u0000', '\uffff', '\ud800', 'é', 'for', 'if', 'resource', 'existing'];

interface Input {
  readonly path: string;
  readonly text: string;
  readonly how: string;
}

/** The input `index` of `seed`: a fixture with one to four mutations. Deterministic. */
export function makeInput(corpus: readonly CorpusFile[], seed: number, index: number): Input {
  const next = mulberry32(inputSeed(seed, index));
  const int = (n: number): number => Math.floor(next() * n);
  const base = corpus[int(corpus.length)];
  let text = base.text;
  let filePath = base.path;
  const how: string[] = [base.path];
  const mutations = 1 + int(4);
  for (let m = 0; m < mutations; m++) {
    const at = int(text.length + 1);
    switch (int(9)) {
      case 0: { // byte edit
        const c = next() < 0.5 ? INTERESTING[int(INTERESTING.length)] : String.fromCharCode(int(128));
        text = text.slice(0, at) + c + text.slice(at + 1);
        how.push(`edit@${at}`);
        break;
      }
      case 1: { // insertion
        text = text.slice(0, at) + INTERESTING[int(INTERESTING.length)] + text.slice(at);
        how.push(`insert@${at}`);
        break;
      }
      case 2: case 3: { // token deletion / duplication
        const tokens = text.match(/[A-Za-z_][A-Za-z0-9_]*|\d+|\s+|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|[\s\S]/g) ?? [];
        if (tokens.length === 0) break;
        const t = int(tokens.length);
        const span = 1 + (next() < 0.3 ? int(6) : 0);
        if (next() < 0.5) {
          tokens.splice(t, span);
          how.push(`del-token#${t}x${span}`);
        } else {
          tokens.splice(t, 0, ...tokens.slice(t, t + span));
          how.push(`dup-token#${t}x${span}`);
        }
        text = tokens.join('');
        break;
      }
      case 4: { // truncation
        text = text.slice(0, at);
        how.push(`truncate@${at}`);
        break;
      }
      case 5: { // splice with another fixture
        const other = corpus[int(corpus.length)];
        const from = int(other.text.length + 1);
        text = next() < 0.5 ? text.slice(0, at) + other.text.slice(from) : text.slice(0, at) + other.text.slice(from, from + int(400)) + text.slice(at);
        how.push(`splice@${at}:${other.path}@${from}`);
        break;
      }
      case 6: { // duplicate or delete a run of lines
        const lines = text.split('\n');
        const l = int(lines.length);
        const k = 1 + int(8);
        if (next() < 0.5) lines.splice(l, 0, ...lines.slice(l, l + k));
        else lines.splice(l, k);
        text = lines.join('\n');
        how.push(`lines#${l}x${k}`);
        break;
      }
      case 7: { // a range deleted
        const end = Math.min(text.length, at + int(200));
        text = text.slice(0, at) + text.slice(end);
        how.push(`cut@${at}-${end}`);
        break;
      }
      default: { // deep nesting
        const open = next() < 0.5 ? '[' : '(';
        const depth = 1 + int(2000);
        text = text.slice(0, at) + open.repeat(depth) + text.slice(at);
        how.push(`nest@${at}x${depth}`);
        break;
      }
    }
  }
  if (next() < 0.05) {
    // The other reader's extension.
    filePath = /\.json$/i.test(filePath) ? filePath.replace(/\.json$/i, '.bicep') : filePath.replace(/\.bicep(param)?$/i, '.json');
    how.push('other-extension');
  }
  return { path: filePath, text, how: how.join(' ') };
}

// ---------------------------------------------------------------------------------------------
// Running one input

const READERS = [bicepReader, armTemplateReader];

/** The one edit that turns `a` into `b`: their common prefix and suffix kept, the middle replaced. */
function singleEdit(a: string, b: string): { start: number; end: number; newText: string } {
  let start = 0;
  while (start < a.length && start < b.length && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let k = 0;
  while (k < a.length - start && k < b.length - start && a.charCodeAt(a.length - 1 - k) === b.charCodeAt(b.length - 1 - k)) k++;
  return { start, end: a.length - k, newText: b.slice(start, b.length - k) };
}

/** Reads and checks one input; a failure's description, or undefined. */
export function runInput(input: Input, corpus: readonly CorpusFile[]): string | undefined {
  const byPath = new Map(corpus.map((f) => [f.path, f.text]));
  // Modules, linked templates and parameter files resolve to the unmutated fixtures.
  const host: FileHost = { readFile: (p) => byPath.get(p) };
  try {
    const model = readWorkspace([{ path: input.path, text: input.text }], host, READERS);
    const thrown = model.problems.find((p) => p.message.startsWith('amlnet could not read this file'));
    if (thrown) return `a reader threw: ${thrown.message}`;
    // The language server's path: read the fixture, then the mutated text as an edit of it.
    const original = byPath.get(input.path);
    if (original !== undefined && original !== input.text) {
      const reader = new WorkspaceReader();
      reader.read([{ path: input.path, text: original }], host);
      reader.edit(input.path, input.text, singleEdit(original, input.text));
      if (!isDeepStrictEqual(reader.read([{ path: input.path, text: input.text }], host), model)) return 'a re-read after the edit differs from a fresh read';
    }
    for (const scope of ['all', 'auto'] as const) {
      checkModel(model, { edition: getEdition('2022-09'), options: defaultOptions(), origins: {}, scope, strict: scope === 'all' });
    }
    return undefined;
  } catch (e) {
    return `threw: ${(e as Error)?.stack ?? String(e)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Worker and watchdog

interface WorkerJob {
  readonly seed: number;
  readonly start: number;
  readonly end: number;
  readonly progress: SharedArrayBuffer;
}

type WorkerMessage = { kind: 'failure'; index: number; message: string } | { kind: 'done' };

function workerMain(): void {
  const job = workerData as WorkerJob;
  const progress = new Int32Array(job.progress);
  const corpus = loadCorpus();
  for (let i = job.start; i < job.end; i++) {
    Atomics.store(progress, 0, i);
    const failure = runInput(makeInput(corpus, job.seed, i), corpus);
    if (failure !== undefined) parentPort!.postMessage({ kind: 'failure', index: i, message: failure } satisfies WorkerMessage);
  }
  Atomics.store(progress, 0, job.end);
  parentPort!.postMessage({ kind: 'done' } satisfies WorkerMessage);
}

interface Options {
  count: number;
  seed: number;
  timeoutMs: number;
  only?: number;
  maxFailures: number;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { count: 10000, seed: 1, timeoutMs: 20000, maxFailures: 50 };
  for (let i = 0; i < argv.length; i++) {
    const v = Number(argv[i + 1]);
    const key = ({ '--count': 'count', '--seed': 'seed', '--timeout-ms': 'timeoutMs', '--case': 'only', '--max-failures': 'maxFailures' } as const)[argv[i]];
    if (key !== undefined) {
      o[key] = v;
      i++;
    } else {
      throw new Error(`unknown argument ${argv[i]}; usage: --count N --seed S [--timeout-ms T] [--case I] [--max-failures F]`);
    }
  }
  return o;
}

function saveInput(dir: string, input: Input, index: number): string {
  const file = path.join(dir, `input-${index}${path.extname(input.path)}`);
  fs.writeFileSync(file, input.text);
  fs.writeFileSync(`${file}.txt`, `${input.path}\n${input.how}\n`);
  return file;
}

async function main(argv: readonly string[]): Promise<number> {
  const o = parseArgs(argv);
  const corpus = loadCorpus();
  if (corpus.length === 0) throw new Error('no fixtures found');
  if (o.only !== undefined) {
    const input = makeInput(corpus, o.seed, o.only);
    console.log(`input ${o.only} of seed ${o.seed}: ${input.path} (${input.text.length} chars): ${input.how}`);
    const t0 = Date.now();
    const failure = runInput(input, corpus);
    console.log(failure ?? `ok in ${Date.now() - t0} ms`);
    return failure ? 1 : 0;
  }
  console.log(`fuzzing the Bicep and ARM readers: ${o.count} inputs, seed ${o.seed}, ${corpus.length} fixtures, hang timeout ${o.timeoutMs} ms`);
  let dir: string | undefined;
  const failureDir = (): string => (dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'amlnet-fuzz-')));
  const failures: { index: number; kind: string; file: string }[] = [];
  const report = (index: number, kind: string, message: string): void => {
    const file = saveInput(failureDir(), makeInput(corpus, o.seed, index), index);
    failures.push({ index, kind, file });
    console.log(`FAIL input ${index} (${kind}): ${message.split('\n').slice(0, 6).join('\n    ')}\n  saved to ${file}  (reproduce: --seed ${o.seed} --case ${index})`);
  };
  const started = Date.now();
  let start = 0;
  let lastPrint = started;
  while (start < o.count && failures.length < o.maxFailures) {
    const progress = new SharedArrayBuffer(4);
    const view = new Int32Array(progress);
    Atomics.store(view, 0, start);
    const worker = new Worker(__filename, { workerData: { seed: o.seed, start, end: o.count, progress } satisfies WorkerJob });
    const outcome = await new Promise<{ next: number }>((resolve) => {
      let seen = start;
      let since = Date.now();
      let finished = false;
      const finish = (next: number): void => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        resolve({ next });
      };
      worker.on('message', (m: WorkerMessage) => {
        if (m.kind === 'failure') report(m.index, 'exception', m.message);
        else finish(o.count);
      });
      worker.on('error', (e) => {
        const at = Atomics.load(view, 0);
        report(at, 'worker crash', String(e?.stack ?? e));
        finish(at + 1);
      });
      worker.on('exit', () => finish(Math.min(o.count, Atomics.load(view, 0) + 1)));
      const timer = setInterval(() => {
        const now = Date.now();
        const at = Atomics.load(view, 0);
        if (at !== seen) {
          seen = at;
          since = now;
        } else if (now - since > o.timeoutMs) {
          report(at, 'hang', `still running after ${o.timeoutMs} ms`);
          finish(at + 1);
          void worker.terminate();
        }
        if (now - lastPrint >= 5000) {
          lastPrint = now;
          const s = (now - started) / 1000;
          console.log(`  ${at}/${o.count} inputs, ${s.toFixed(0)} s, ${(at / s).toFixed(0)} inputs/s, ${failures.length} failures`);
        }
      }, 200);
    });
    await worker.terminate();
    start = outcome.next;
  }
  const seconds = (Date.now() - started) / 1000;
  const ran = Math.min(start, o.count);
  console.log(`\n${ran} inputs in ${seconds.toFixed(1)} s (${(ran / seconds).toFixed(0)} inputs/s): ${failures.length} failures`
    + `${failures.length ? ` (${failures.filter((f) => f.kind === 'hang').length} hangs), inputs saved in ${failureDir()}` : ''}`);
  if (failures.length >= o.maxFailures) console.log(`stopped after ${o.maxFailures} failures`);
  return failures.length ? 1 : 0;
}

if (!isMainThread) workerMain();
else if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (e: unknown) => {
    console.error((e as Error)?.stack ?? e);
    process.exitCode = 2;
  });
}
