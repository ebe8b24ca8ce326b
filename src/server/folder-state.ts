// One workspace folder: its template files (from disk, with open documents' texts over them), its
// settings and `.amlnet.json`, and its last check. Reading goes through core's WorkspaceReader, checking
// through one CheckCache, so a re-check after an edit re-reads and re-evaluates only what changed.
// Paths inside are relative to the folder with `/` separators, as the CLI's are when run in the
// folder: the model, messages and report are then the CLI's for the same files.

import { isAbsolute, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CheckCache, checkModel, type CheckResult } from '../core/check/check-model';
import { CONFIG_FILE_NAME, parseConfig, type AmlnetConfig, type ConfigError } from '../core/catalog/custom-config';
import type { ReadProblem } from '../core/model/workspace-model';
import type { Reader, SourceFile } from '../core/read/read-workspace';
import type { LineIndex } from '../core/text/line-index';
import { isTemplatePath, MAX_FILE_BYTES, readTemplateFile, tooLargeMessage, toPosix, walkTemplateFiles, type FileRead } from '../host/template-files';
import { WorkspaceReader } from '../core/read/workspace-reader';
import { singleEdit } from '../core/text/single-edit';
import { DEFAULT_SETTINGS, type AmlnetSettings } from './protocol';
import { folderCheckSettings, type FolderCheckSettings } from './settings';

/** The file system as a folder sees it; tests may pass their own. */
export interface FolderFs {
  walk(root: string): string[];
  read(abs: string, maxBytes: number): FileRead;
}

export const nodeFs: FolderFs = { walk: walkTemplateFiles, read: readTemplateFile };

/** A check of a folder, and everything needed to turn it into LSP answers. */
export interface FolderCheck {
  readonly result: CheckResult;
  /** Every text the check read (entries, modules, parameter and linked files), by relative path. */
  readonly texts: ReadonlyMap<string, string>;
  readonly settings: AmlnetSettings;
  readonly checkSettings: FolderCheckSettings;
  /** The configuration file (relative path) and its errors; no config is used when it has errors. */
  readonly configFile?: string;
  readonly config?: AmlnetConfig;
  readonly configErrors: readonly ConfigError[];
  /** Template files indexed: those a reader reads as entries (Bicep, .bicepparam, ARM with a deployment `$schema`). */
  readonly templateCount: number;
}

export class FolderState {
  readonly uri: string;
  settings: AmlnetSettings = DEFAULT_SETTINGS;
  /** Template files found on disk, by relative path. */
  private readonly disk = new Map<string, FileRead>();
  /** Open documents' texts, by relative path. */
  private readonly open = new Map<string, string>();
  /** Files read through the host that are not templates of the folder (outside it, skipped folders). */
  private external = new Map<string, FileRead>();
  private config: { rel: string; read: FileRead | undefined } | undefined;
  private readonly reader: WorkspaceReader;
  /** The text of each entry file as the reader last saw it (read, or told through an edit). */
  private readonly readerTexts = new Map<string, string>();
  readonly cache = new CheckCache();
  /** Line indexes of the files' texts, kept across checks (see Positions). */
  readonly lineIndexes = new Map<string, { readonly text: string; readonly index: LineIndex }>();
  /** The first full read is done. */
  indexed = false;
  last: FolderCheck | undefined;

  constructor(
    /** The folder's absolute path. */
    readonly root: string,
    readers: readonly Reader[],
    /** Whether the folder's files are searched on disk (false for the folder of a loose open document). */
    readonly walks = true,
    private readonly fs: FolderFs = nodeFs,
    private readonly maxBytes = MAX_FILE_BYTES,
  ) {
    this.uri = pathToFileURL(root).href;
    this.reader = new WorkspaceReader(readers);
  }

  /** The relative path of an absolute one, or undefined when it is not inside the folder. */
  relOf(abs: string): string | undefined {
    const rel = relative(this.root, abs);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
    return toPosix(rel);
  }

  absOf(rel: string): string {
    return isAbsolute(rel) ? rel : join(this.root, rel);
  }

  uriOf(rel: string): string {
    return pathToFileURL(this.absOf(rel)).href;
  }

  /** Finds the template files on disk and reads them, `onProgress` after each batch; yields between batches. */
  async index(onProgress?: (done: number, total: number) => void, batch = 50): Promise<void> {
    this.disk.clear();
    if (this.walks) {
      const files = this.fs.walk(this.root).map((abs) => this.relOf(abs)).filter((r): r is string => r !== undefined).sort();
      for (let i = 0; i < files.length; i++) {
        this.disk.set(files[i], this.fs.read(this.absOf(files[i]), this.maxBytes));
        if ((i + 1) % batch === 0 || i + 1 === files.length) {
          onProgress?.(i + 1, files.length);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    }
    this.indexed = true;
  }

  /** Whether a relative path is one of this folder's templates (on disk or open). */
  isTemplate(rel: string): boolean {
    return isTemplatePath(rel);
  }

  setOpen(rel: string, text: string): void {
    // Tell the reader what changed, so a Bicep file is re-parsed and re-evaluated only where the edit reaches.
    // Only from the text the reader holds: an edit computed from any other text would not apply to its tree.
    const before = this.readerTexts.get(rel);
    if (before !== undefined && before !== text) {
      this.reader.edit(rel, text, singleEdit(before, text));
      this.readerTexts.set(rel, text);
    }
    this.open.set(rel, text);
  }

  /** A document was closed: its disk text counts again. */
  close(rel: string): void {
    this.open.delete(rel);
    this.diskChanged(rel, 'changed');
  }

  /** A file changed on disk (created, changed or deleted). */
  diskChanged(rel: string, kind: 'created' | 'changed' | 'deleted'): void {
    // Modules and linked files outside the index are read again on the next check.
    this.external = new Map();
    if (this.config && this.config.rel === rel) this.config = undefined;
    if (!this.walks || !this.isTemplate(rel)) return;
    if (kind === 'deleted') {
      this.disk.delete(rel);
      this.lineIndexes.delete(rel);
    }
    else this.disk.set(rel, this.fs.read(this.absOf(rel), this.maxBytes));
  }

  /** The configuration file's relative path under the current settings. */
  configRel(): string {
    const custom = this.settings.customRequirementsFile;
    if (!custom) return CONFIG_FILE_NAME;
    const abs = this.absOf(custom);
    return this.relOf(abs) ?? toPosix(abs);
  }

  setSettings(settings: AmlnetSettings): void {
    this.settings = settings;
    this.config = undefined;
  }

  /** Reads the folder's files (only what changed since the last check) and checks them. */
  check(): FolderCheck {
    const problems: ReadProblem[] = [];
    const texts = new Map<string, string>();
    const entryNames = new Set<string>([...this.disk.keys()]);
    for (const rel of this.open.keys()) if (this.isTemplate(rel)) entryNames.add(rel);
    const sources: SourceFile[] = [];
    for (const rel of [...entryNames].sort()) {
      const open = this.open.get(rel);
      const read = open !== undefined ? (open.length > this.maxBytes ? { tooLarge: open.length } : { text: open }) : this.disk.get(rel);
      const text = textOf(read);
      if (read && 'tooLarge' in read) problems.push({ file: rel, severity: 'error', message: tooLargeMessage(this.maxBytes) });
      if (text === undefined) continue;
      texts.set(rel, text);
      sources.push({ path: rel, text });
    }
    const readFile = (path: string): string | undefined => {
      const open = this.open.get(path);
      if (open !== undefined) return open;
      const disk = this.disk.get(path);
      if (disk) return textOf(disk);
      let ext = this.external.get(path);
      if (!ext) {
        ext = this.fs.read(this.absOf(path), this.maxBytes);
        this.external.set(path, ext);
      }
      return textOf(ext);
    };
    const model = this.reader.read(sources, { readFile });
    this.readerTexts.clear();
    for (const s of sources) this.readerTexts.set(s.path, s.text);
    for (const [rel, read] of this.external) {
      if ('tooLarge' in read) problems.push({ file: rel, severity: 'error', message: tooLargeMessage(this.maxBytes) });
    }
    // Every text the readers may have looked at, for positions and fixes.
    for (const [rel, read] of this.external) {
      const t = textOf(read);
      if (t !== undefined && !texts.has(rel)) texts.set(rel, t);
    }

    const { configFile, config, configErrors } = this.readConfig();
    const checkSettings = folderCheckSettings(this.settings, config);
    const result = checkModel(
      { ...model, problems: [...model.problems, ...problems] },
      { ...checkSettings.check, sourceText: (file) => texts.get(file) ?? readFile(file) },
      this.cache,
    );
    this.last = {
      result,
      texts,
      settings: this.settings,
      checkSettings,
      configFile,
      config,
      configErrors,
      templateCount: this.reader.stats.read + this.reader.stats.reused,
    };
    return this.last;
  }

  /** `.amlnet.json` (or the custom requirements file): its config, or its errors. Never throws. */
  readConfig(): { configFile?: string; config?: AmlnetConfig; configErrors: readonly ConfigError[] } {
    const rel = this.configRel();
    if (!this.config || this.config.rel !== rel) {
      const open = this.open.get(rel);
      this.config = { rel, read: open !== undefined ? { text: open } : this.fs.read(this.absOf(rel), 1024 * 1024) };
    }
    if (this.open.has(rel)) this.config = { rel, read: { text: this.open.get(rel)! } };
    const read = this.config.read;
    const custom = this.settings.customRequirementsFile !== null;
    if (!read || 'error' in read) {
      if (!custom) return { configErrors: [] };
      return { configFile: rel, configErrors: [{ file: rel, line: 1, column: 1, path: '', message: `cannot read the custom requirements file (amlnet.customRequirementsFile): ${read && 'error' in read ? read.error : 'not found'}` }] };
    }
    if ('tooLarge' in read) return { configFile: rel, configErrors: [{ file: rel, line: 1, column: 1, path: '', message: 'the configuration file is larger than 1 MB: not read' }] };
    try {
      const parsed = parseConfig(read.text, rel);
      return parsed.config ? { configFile: rel, config: parsed.config, configErrors: [] } : { configFile: rel, configErrors: parsed.errors };
    } catch (e) {
      return { configFile: rel, configErrors: [{ file: rel, line: 1, column: 1, path: '', message: `amlnet could not read this file: ${(e as Error).message}` }] };
    }
  }

  /** The text of a relative path as the last check saw it, else as it is now. */
  textOf(rel: string): string | undefined {
    return this.last?.texts.get(rel) ?? this.open.get(rel) ?? textOf(this.disk.get(rel)) ?? (this.config?.rel === rel ? textOf(this.config.read) : undefined);
  }
}

function textOf(read: FileRead | undefined): string | undefined {
  return read && 'text' in read ? read.text : undefined;
}
