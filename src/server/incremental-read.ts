// Reading a folder's templates again after an edit, re-reading only the entries the edit can
// change. It gives the same model as `readWorkspace` (src/core/read/read-workspace.ts) over the
// same files: the same readers, entries in the same order, the same dropping of entries another
// entry pulled in, the same linking.
//
// Each entry's read result is kept with every file text the read looked at (through the host, or
// through the workspace list the readers search for parameter files and modules). An entry is read
// again only when one of those texts changed, or when the set of files changed (a new parameter
// file may pair with an entry that never looked at it).

import { linkModel } from '../core/model/link-model';
import type { WorkspaceModel } from '../core/model/workspace-model';
import { emptyModel, mergeModels, type FileHost, type ReadResult, type Reader, type SourceFile } from '../core/read/read-workspace';

/** Texts one read looked at, by path (undefined: the file could not be read). */
type Deps = Map<string, string | undefined>;

let recording: Deps | undefined;

/** A workspace file whose text, when a reader reads it, is recorded as a dependency of the read under way. */
class TrackedFile implements SourceFile {
  constructor(readonly path: string, private readonly content: string) {}

  get text(): string {
    recording?.set(this.path, this.content);
    return this.content;
  }

  /** The text, not recorded. */
  get raw(): string {
    return this.content;
  }
}

interface Entry {
  readonly file: TrackedFile;
  readonly result: ReadResult;
  readonly deps: Deps;
}

/** How the last read went: how many entries were read again and how many were reused. */
export interface ReadStats {
  readonly read: number;
  readonly reused: number;
}

export class IncrementalReader {
  private tracked = new Map<string, TrackedFile>();
  private entries = new Map<string, Entry>();
  private fileSet = '';
  stats: ReadStats = { read: 0, reused: 0 };

  constructor(private readonly readers: readonly Reader[]) {}

  /** Forgets every cached read (e.g. when a reader's behaviour may have changed). */
  clear(): void {
    this.entries.clear();
    this.fileSet = '';
  }

  /**
   * The linked model of `files` (in the order given), with `host` for the files they refer to.
   * Equal to `readWorkspace(files, host, readers)`.
   */
  read(files: readonly SourceFile[], host: FileHost): WorkspaceModel {
    const fileSet = files.map((f) => f.path).join('\n');
    if (fileSet !== this.fileSet) {
      this.entries.clear();
      this.fileSet = fileSet;
    }
    const tracked: TrackedFile[] = files.map((f) => {
      const old = this.tracked.get(f.path);
      return old && old.raw === f.text ? old : new TrackedFile(f.path, f.text);
    });
    this.tracked = new Map(tracked.map((t) => [t.path, t]));
    const byPath = this.tracked;
    const current = (path: string): string | undefined => {
      const t = byPath.get(path);
      if (t) return t.raw;
      const saved = recording;
      recording = undefined;
      try {
        return host.readFile(path);
      } finally {
        recording = saved;
      }
    };
    const trackedHost: FileHost = {
      readFile(path: string): string | undefined {
        const text = host.readFile(path);
        recording?.set(path, text);
        return text;
      },
    };
    const paramTexts = tracked.filter((t) => /\.bicepparam$/i.test(t.path));

    let read = 0;
    let reused = 0;
    const results: { path: string; result: ReadResult }[] = [];
    const entries = new Map<string, Entry>();
    for (const file of tracked) {
      const reader = this.readers.find((r) => {
        try {
          return r.accepts(file);
        } catch {
          return false;
        }
      });
      if (!reader) continue;
      const old = this.entries.get(file.path);
      if (old && old.file.raw === file.raw && [...old.deps].every(([p, t]) => current(p) === t)) {
        reused++;
        entries.set(file.path, old);
        results.push({ path: file.path, result: old.result });
        continue;
      }
      read++;
      const deps: Deps = new Map([[file.path, file.raw]]);
      // A Bicep template is read through the `.bicepparam` files that use it: any of them may start or stop using it.
      if (/\.bicep$/i.test(file.path)) for (const p of paramTexts) deps.set(p.path, p.raw);
      const saved = recording;
      recording = deps;
      let result: ReadResult;
      try {
        result = reader.read(file, trackedHost, tracked);
      } catch (e) {
        result = { model: { ...emptyModel(), problems: [{ file: file.path, severity: 'error', message: `amlnet could not read this file: ${(e as Error).message}` }] }, followed: [] };
      } finally {
        recording = saved;
      }
      entries.set(file.path, { file, result, deps });
      results.push({ path: file.path, result });
    }
    this.entries = entries;
    this.stats = { read, reused };
    const followed = new Set<string>();
    for (const { path, result } of results) for (const f of result.followed) if (f !== path) followed.add(f);
    const kept = results.filter(({ path }) => !followed.has(path));
    return linkModel(mergeModels(kept.map((k) => k.result.model)));
  }
}
