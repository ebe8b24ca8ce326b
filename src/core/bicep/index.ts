/** The Bicep reader's syntax layer: lexer, parser, tree, traversal, comments and line positions. */
export * from './syntax';
export { parseBicep, parseBicepParam, reparseBicep, MAX_DEPTH } from './parser';
export type { ParseOptions, ParseStats, TextEdit } from './parser';
export { forEachChild, keyRange, walk, nodeAt } from './walk';
export { commentText, commentsIn, leadingComments } from './comments';
export { LineIndex } from '../text/line-index';
export type { LinePosition } from '../text/line-index';
