// Source spans (UTF-16 offsets into a file's text) as LSP ranges and locations, and back.

import type { Location, Range } from 'vscode-languageserver';
import type { SourceSpan } from '../core/model/workspace-model';
import { LineIndex } from '../core/text/line-index';

/** Converts spans of one check's texts into LSP positions; one LineIndex per file, built on first use. */
export class Positions {
  private readonly indexes = new Map<string, LineIndex | null>();

  constructor(
    private readonly textOf: (file: string) => string | undefined,
    private readonly uriOf: (file: string) => string,
    /** Line indexes kept across checks, reused while a file's text is unchanged. */
    private readonly shared?: Map<string, { readonly text: string; readonly index: LineIndex }>,
  ) {}

  index(file: string): LineIndex | undefined {
    let index = this.indexes.get(file);
    if (index === undefined) {
      const text = this.textOf(file);
      if (text === undefined) index = null;
      else {
        const kept = this.shared?.get(file);
        index = kept && kept.text === text ? kept.index : new LineIndex(text);
        this.shared?.set(file, { text, index });
      }
      this.indexes.set(file, index);
    }
    return index ?? undefined;
  }

  /** The span as a range; the file's first line when its text is not known. */
  range(span: SourceSpan): Range {
    const index = this.index(span.file);
    if (!index) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { start: index.positionAt(span.start), end: index.positionAt(span.end) };
  }

  /** The start of the span, as an empty range's worth of a line: the whole first line of the span, at most. */
  firstLine(span: SourceSpan): Range {
    const index = this.index(span.file);
    if (!index) return this.range(span);
    const start = index.positionAt(span.start);
    const lineEnd = index.lineEnd(start.line);
    const end = index.positionAt(Math.min(span.end, lineEnd));
    return { start, end: end.line === start.line && end.character > start.character ? end : { line: start.line, character: start.character + 1 } };
  }

  /** A 1-based line (and column) as a range covering that line. */
  lineRange(file: string, line1: number, column1 = 1): Range {
    const index = this.index(file);
    const line = Math.max(0, line1 - 1);
    if (!index) return { start: { line, character: column1 - 1 }, end: { line, character: column1 - 1 } };
    const start = Math.min(index.lineStart(line) + Math.max(0, column1 - 1), index.lineEnd(line));
    return { start: index.positionAt(start), end: index.positionAt(index.lineEnd(line)) };
  }

  location(span: SourceSpan): Location {
    return { uri: this.uriOf(span.file), range: this.range(span) };
  }

  /** The offset of an LSP position in a file, or undefined when the text is not known. */
  offsetAt(file: string, position: { line: number; character: number }): number | undefined {
    return this.index(file)?.offsetAt(position);
  }
}
