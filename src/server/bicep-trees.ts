// The Bicep trees of a folder's entry files, kept between checks: after an edit a file is
// re-parsed with `reparseBicep`, which reuses the top-level statements the edit cannot touch.
// The Bicep reader takes them through its `parse` option (createBicepReader).

import { parseBicep, reparseBicep } from '../core/bicep';
import type { BicepFile } from '../core/bicep/syntax';

/** The one edit that turns `before` into `after`: what lies between their common prefix and suffix. */
export function singleEdit(before: string, after: string): { start: number; end: number; newText: string } {
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start: prefix, end: before.length - suffix, newText: after.slice(prefix, after.length - suffix) };
}

export class BicepTrees {
  private readonly trees = new Map<string, BicepFile>();
  /** How the last parse of each kind went, for tests. */
  reparsed = 0;
  parsed = 0;

  /** The tree of `text` at `path`: equal to `parseBicep(text)`, re-parsed from the last tree of `path` when there is one. */
  readonly parse = (path: string, text: string): BicepFile => {
    const previous = this.trees.get(path);
    if (previous && previous.text === text) return previous;
    let tree: BicepFile;
    if (previous && previous.kind === 'bicep') {
      // reparseBicep consumes `previous`: it is dropped from the map first, whatever happens.
      this.trees.delete(path);
      tree = reparseBicep(previous, text, singleEdit(previous.text, text));
      this.reparsed++;
    } else {
      tree = parseBicep(text);
      this.parsed++;
    }
    this.trees.set(path, tree);
    return tree;
  };

  /** Keeps only the trees of these paths (files deleted or no longer entries are dropped). */
  retain(paths: ReadonlySet<string>): void {
    for (const p of this.trees.keys()) if (!paths.has(p)) this.trees.delete(p);
  }
}
