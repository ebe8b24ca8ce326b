/**
 * Access to the comments of a parsed file, for suppression comments such as
 * `// amlnet-disable-next-line aml-out-storage` and Bicep's `#disable-next-line`.
 */

import { atLineStart } from './lexer';
import type { BicepFile, Comment } from './syntax';

/** The text of a comment without its markers (`//`, slash-star, `#`), trimmed. */
export function commentText(file: BicepFile, comment: Comment): string {
  const raw = file.text.slice(comment.start, comment.end);
  switch (comment.kind) {
    case 'line': return raw.slice(2).trim();
    case 'block': return raw.slice(2, raw.endsWith('*/') && raw.length >= 4 ? -2 : undefined).trim();
    case 'directive': return raw.slice(1).trim();
  }
}

/** Index of the first comment that starts at or after `offset`. */
function lowerBound(comments: readonly Comment[], offset: number): number {
  let lo = 0;
  let hi = comments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comments[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Comments that start in `[start, end)`. */
export function commentsIn(file: BicepFile, start: number, end: number): Comment[] {
  const out: Comment[] = [];
  for (let i = lowerBound(file.comments, start); i < file.comments.length && file.comments[i].start < end; i++) {
    out.push(file.comments[i]);
  }
  return out;
}

/**
 * The comments directly above `offset`: the run of comments that ends where only whitespace
 * and line breaks separate it from `offset` (the place for a "disable next line" comment).
 * Comments earlier on the same line as `offset` are not included.
 */
export function leadingComments(file: BicepFile, offset: number): Comment[] {
  const text = file.text;
  const comments = file.comments;
  const out: Comment[] = [];
  let i = lowerBound(comments, offset) - 1;
  let to = offset;
  let sawLineBreak = false;
  while (i >= 0) {
    const c = comments[i];
    if (c.end > to) break;
    let onlySpace = true;
    let lineBreak = false;
    for (let p = c.end; p < to; p++) {
      const ch = text.charCodeAt(p);
      if (ch === 10 || ch === 13) lineBreak = true;
      else if (ch !== 32 && ch !== 9) { onlySpace = false; break; }
    }
    if (!onlySpace) break;
    // The comment nearest to `offset` must be on an earlier line.
    if (!sawLineBreak && !lineBreak) break;
    // A comment after code on its line belongs to that code, not to what follows.
    if (!atLineStart(text, c.start)) break;
    sawLineBreak = true;
    out.push(c);
    to = c.start;
    i--;
  }
  return out.reverse();
}

