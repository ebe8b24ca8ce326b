// Finding and reading template files on disk: the node host shared by the CLI and the language
// server. Core reads no files; this layer does, with the same rules for both (which folders are
// skipped, which names are templates, how large a file may be).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/** Files larger than this are reported, not read: no real template comes near it. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** The names template files may have (ARM JSON is told from other JSON by its `$schema`, later). */
export const TEMPLATE_FILE = /\.(json|jsonc|bicep|bicepparam)$/i;

/** Folders never searched: dependencies, build output, VCS data. Dot-folders are skipped too. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git', '.vscode-test', 'out', 'dist']);

/** The configuration file's name; it is JSON but never a template. */
const CONFIG_FILE = '.amlnet.json';

/** Whether a folder name is skipped when searching for templates. */
export function isSkippedDir(name: string): boolean {
  return SKIPPED_DIRS.has(name) || name.startsWith('.');
}

/** Whether a file name (no folder) may be a template. */
export function isTemplateName(name: string): boolean {
  return TEMPLATE_FILE.test(name) && name !== CONFIG_FILE;
}

/**
 * Whether a path relative to a searched root (`/`-separated) is one the search finds: a template
 * name, and no folder on the way is skipped.
 */
export function isTemplatePath(rel: string): boolean {
  const parts = rel.split('/');
  const name = parts.pop() ?? '';
  return isTemplateName(name) && !parts.some((p) => p !== '..' && isSkippedDir(p));
}

/** Every template file under the folder `root` (absolute paths, unsorted). */
export function walkTemplateFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (abs: string): void => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!isSkippedDir(e.name)) walk(join(abs, e.name));
      } else if (e.isFile() && isTemplateName(e.name)) {
        files.push(join(abs, e.name));
      }
    }
  };
  walk(root);
  return files;
}

/** Template files under the given paths, relative to `cwd` with `/` separators, sorted. */
export function findTemplateFiles(paths: readonly string[], cwd: string): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    const abs = isAbsolute(p) ? p : join(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) files.push(...walkTemplateFiles(abs));
    else files.push(abs);
  }
  const rel = [...new Set(files)].map((f) => toPosix(relative(cwd, f) || f));
  return { files: rel.sort(), missing };
}

/** A path with `/` separators. */
export function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

/** What reading one file gives: its text, or that it is too large, or that it cannot be read. */
export type FileRead = { readonly text: string } | { readonly tooLarge: number } | { readonly error: string };

/** Reads a UTF-8 file unless it is larger than `maxBytes`. Never throws. */
export function readTemplateFile(abs: string, maxBytes = MAX_FILE_BYTES): FileRead {
  try {
    const size = statSync(abs).size;
    if (size > maxBytes) return { tooLarge: size };
    return { text: readFileSync(abs, 'utf8') };
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
}

/** The message for a file over the limit (the same words in the CLI and the editor). */
export function tooLargeMessage(maxBytes = MAX_FILE_BYTES): string {
  const mb = maxBytes / 1024 / 1024;
  return `larger than ${Number.isInteger(mb) ? `${mb} MB` : `${Math.round(maxBytes / 1024)} KB`}: not read`;
}
