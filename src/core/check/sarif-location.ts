// SARIF locations, shared by the NSG results (sarif.ts) and the firewall results (firewall/firewall-sarif.ts).

export interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
  message?: { text: string };
}

/** A location at `file`:`line` (no region without a line), with `text` as its message; none without a file. */
export function location(file: string | undefined, line: number | undefined, text?: string): SarifLocation[] {
  if (!file) return [];
  const loc: SarifLocation = { physicalLocation: { artifactLocation: { uri: toUri(file) }, ...(line ? { region: { startLine: line } } : {}) } };
  if (text) loc.message = { text };
  return [loc];
}

/** A relative path with forward slashes, as SARIF URIs want; absolute paths become file URIs. */
export function toUri(file: string): string {
  const slashed = file.replace(/\\/g, '/');
  if (/^[a-z]+:\/\//i.test(slashed)) return slashed;
  if (slashed.startsWith('/')) return `file://${encodeURI(slashed)}`;
  if (/^[a-zA-Z]:\//.test(slashed)) return `file:///${encodeURI(slashed)}`;
  return encodeURI(slashed);
}
