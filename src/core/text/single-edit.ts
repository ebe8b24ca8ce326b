/** One replacement in a text: offsets into the old text, and what replaces that range. */
export interface SingleEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

/**
 * The one edit that turns `before` into `after`: whatever lies between their common prefix and
 * common suffix. An editor that sends whole texts (LSP full sync, a file changed on disk) still
 * lets incremental readers re-read only what changed.
 */
export function singleEdit(before: string, after: string): SingleEdit {
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start: prefix, end: before.length - suffix, newText: after.slice(prefix, after.length - suffix) };
}
