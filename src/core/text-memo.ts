/**
 * A memo of a pure function of a text, for results that are immutable and shared: templates
 * repeat the same few port and address texts over all their rules, so each distinct text is read
 * once. Bounded (cleared when full): a long-running language server sees an open-ended stream of
 * texts as users type.
 */
export class TextMemo<V> {
  private readonly values = new Map<string, V>();

  constructor(
    private readonly read: (text: string) => V,
    private readonly max = 20_000,
  ) {}

  get(text: string): V {
    let v = this.values.get(text);
    if (v === undefined) {
      if (this.values.size >= this.max) this.values.clear();
      v = this.read(text);
      this.values.set(text, v);
    }
    return v;
  }
}
