/** A plain text edit: replace `[start, end)` of `file`'s text (UTF-16 offsets) with `newText`. */
export interface TextEdit {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

/**
 * Applies edits of one file to its text. The edits are sorted by offset; two edits that overlap,
 * or two insertions at the same offset (whose order would be ambiguous), throw.
 */
export function applyEdits(text: string, edits: readonly Pick<TextEdit, 'start' | 'end' | 'newText'>[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  let prev: Pick<TextEdit, 'start' | 'end'> | undefined;
  for (const e of sorted) {
    if (e.start < 0 || e.end < e.start || e.end > text.length) throw new Error(`edit [${e.start}, ${e.end}) is outside the text (length ${text.length})`);
    if (prev && (e.start < prev.end || e.start === prev.start)) throw new Error(`edits [${prev.start}, ${prev.end}) and [${e.start}, ${e.end}) overlap`);
    out += text.slice(at, e.start) + e.newText;
    at = e.end;
    prev = e;
  }
  return out + text.slice(at);
}

/** The edits for one file, out of edits for several. */
export function editsFor(file: string, edits: readonly TextEdit[]): TextEdit[] {
  return edits.filter((e) => e.file === file);
}
