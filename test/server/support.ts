// What the language-server tests share: the CLI's JSON report, run in-process, to compare the
// server's with; and a report with file URIs turned into relative paths, as the CLI prints them.

import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckReport } from '../../src/core/check/check-report';
import { run } from '../../src/cli/main';

/** `amlnet check --format json ...args` in `cwd`, in-process, with its exit code. */
export async function cliCheckJson(cwd: string, args: readonly string[] = []): Promise<{ code: number; report: CheckReport }> {
  let out = '';
  const code = await run(['check', '--format', 'json', ...args], {
    stdout: (t) => { out += t; },
    stderr: () => undefined,
    cwd,
    readFile: (p) => readFileSync(p, 'utf8'),
    exists: (p) => { try { readFileSync(p); return true; } catch { return false; } },
  } as Parameters<typeof run>[1]);
  return { code, report: JSON.parse(out) as CheckReport };
}

/** A report with file URIs turned into paths relative to `dir` (as the CLI prints them). */
export function relativized<T>(value: T, dir: string): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = (k === 'file' || k === 'deployment') && typeof x === 'string' ? relative(dir, fileURLToPath(x)).split(sep).join('/') : walk(x);
    return out;
  };
  return walk(value) as T;
}
