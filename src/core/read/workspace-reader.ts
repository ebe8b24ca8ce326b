/**
 * A workspace reader with memory, for a language server: `read` gives what `readWorkspace` gives
 * for the same files, but reuses each entry file's result while nothing it read has changed, and
 * (with readers that support it, such as the Bicep reader) re-reads an edited file in proportion to
 * what the edit touched. Tell it about edits with `edit`; it is correct without them too (a
 * changed text is then read whole).
 */
import { armTemplateReader } from '../arm/arm-template-reader';
import { type IncrementalReader, type TextChange, createIncrementalBicepReader } from '../bicep/bicep-reader';
import type { WorkspaceModel } from '../model/workspace-model';
import { type FileHost, type ReadResult, type Reader, type SourceFile, combineResults, readEntryFile } from './read-workspace';

export type { TextChange } from '../bicep/bicep-reader';

/** One entry file's last result and everything it depended on. */
interface Cached {
  readonly reader: Reader;
  readonly text: string;
  /** The paths of the workspace files when it was read (pairing with parameter files depends on them). */
  readonly paths: string;
  /** Every other file it read, through the workspace or the host, with the text it got (undefined: none). */
  readonly reads: ReadonlyMap<string, string | undefined>;
  readonly result: ReadResult;
}

function isIncremental(r: Reader): r is IncrementalReader {
  return typeof (r as Partial<IncrementalReader>).edit === 'function' && typeof (r as Partial<IncrementalReader>).forget === 'function';
}

/** A workspace file whose text, when a reader reads it, is recorded in `reads`. */
function watched(f: SourceFile, reads: Map<string, string | undefined>): SourceFile {
  return {
    path: f.path,
    get text(): string {
      reads.set(f.path, f.text);
      return f.text;
    },
  };
}

export class WorkspaceReader {
  private readonly readers: readonly Reader[];
  private readonly cache = new Map<string, Cached>();

  /** `readers` defaults to the incremental Bicep reader and the ARM reader (what `amlnet check` reads). */
  constructor(readers?: readonly Reader[]) {
    this.readers = readers ?? [createIncrementalBicepReader(), armTemplateReader];
  }

  /**
   * `path` now has `text`, made by `change` from its previous text (the text last read, or last
   * given here). Call it for each change in order, e.g. for each content change of an LSP
   * `didChange`; then `read` with the new text.
   */
  edit(path: string, text: string, change: TextChange): void {
    for (const r of this.readers) if (isIncremental(r)) r.edit(path, text, change);
  }

  /** How many entry reads were served from the per-file cache since this reader was made. */
  cacheHits = 0;

  /** The last `read`: how many entry files were read again and how many were reused as they were. */
  stats: { readonly read: number; readonly reused: number } = { read: 0, reused: 0 };

  /** Forgets what is kept of `path` (closed, deleted or renamed). */
  forget(path: string): void {
    this.cache.delete(path);
    for (const r of this.readers) if (isIncremental(r)) r.forget(path);
  }

  /** Reads `files` as `readWorkspace(files, host, readers)` does, reusing what has not changed. */
  read(files: readonly SourceFile[], host: FileHost): WorkspaceModel {
    const paths = files.map((f) => f.path).join('\n');
    const byPath = new Map<string, SourceFile>();
    for (const f of files) byPath.set(f.path, f);
    const results: { file: SourceFile; result: ReadResult }[] = [];
    const live = new Set<string>();
    let reread = 0;
    let reused = 0;
    for (const file of files) {
      const reader = this.readers.find((r) => r.accepts(file));
      if (!reader) continue;
      live.add(file.path);
      const cached = this.cache.get(file.path);
      if (cached && cached.reader === reader && cached.text === file.text && cached.paths === paths && this.unchanged(cached, byPath, host)) {
        this.cacheHits++;
        reused++;
        results.push({ file, result: cached.result });
        continue;
      }
      // Record every other file the reader reads, through the host or the workspace list.
      const reads = new Map<string, string | undefined>();
      const recording: FileHost = {
        readFile: (path) => {
          const text = host.readFile(path);
          reads.set(path, text);
          return text;
        },
      };
      const workspace = files.map((f) => (f === file ? f : watched(f, reads)));
      const result = readEntryFile(reader, file, recording, workspace);
      reread++;
      this.cache.set(file.path, { reader, text: file.text, paths, reads, result });
      results.push({ file, result });
    }
    // Files no longer in the workspace: forget them here and in the readers.
    for (const path of [...this.cache.keys()]) if (!live.has(path)) this.forget(path);
    this.stats = { read: reread, reused };
    return combineResults(results);
  }

  private unchanged(cached: Cached, byPath: ReadonlyMap<string, SourceFile>, host: FileHost): boolean {
    for (const [path, text] of cached.reads) {
      const now = byPath.has(path) ? byPath.get(path)?.text : host.readFile(path);
      if (now !== text) return false;
    }
    return true;
  }
}
