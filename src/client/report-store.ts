// The latest report the client has shown, and how it is fetched: one request at a time, a
// change that arrives meanwhile re-asks once afterwards, and an answer older than the one shown
// is dropped. No vscode import: unit-tested with a fake fetch.

import type { ReportResult } from '../server/protocol';

export type StoreState = 'starting' | 'indexing' | 'ready' | 'failed';

export class ReportStore {
  private current: ReportResult | undefined;
  private shownVersion = -Infinity;
  private failure: string | undefined;
  private readonly listeners = new Set<() => void>();
  private readyWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private seenReady = false;
  private inFlight: Promise<void> | undefined;
  private again = false;

  constructor(private readonly fetch: () => Promise<ReportResult>, private readonly onError: (err: unknown) => void = () => undefined) {}

  get result(): ReportResult | undefined {
    return this.current;
  }

  get state(): StoreState {
    if (this.failure !== undefined) return 'failed';
    if (!this.current) return 'starting';
    return this.current.state;
  }

  /** Why the server could not be reached, when state is `failed`. */
  get failureMessage(): string | undefined {
    return this.failure;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Resolves once a `ready` report has been handed to the listeners (at once if one has);
   * rejects if the server fails before that.
   */
  whenReady(): Promise<void> {
    if (this.seenReady) return Promise.resolve();
    if (this.failure !== undefined) return Promise.reject(new Error(this.failure));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Takes an answer; false when it is older than the one shown. */
  accept(result: ReportResult): boolean {
    if (result.version < this.shownVersion) return false;
    this.shownVersion = result.version;
    this.current = result;
    this.failure = undefined;
    this.emit();
    if (result.state === 'ready' && !this.seenReady) {
      this.seenReady = true;
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const w of waiters) w.resolve();
    }
    return true;
  }

  /** The server could not start or answer: the views show it rather than a loading state forever. */
  fail(message: string): void {
    this.failure = message;
    this.emit();
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w.reject(new Error(message));
  }

  /** A restarted server counts its versions from the start again: accept its next answer whatever its number. */
  serverRestarted(): void {
    this.shownVersion = -Infinity;
  }

  /** Asks for the report; while a request is out, asks once more when it returns. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    const run = async (): Promise<void> => {
      do {
        this.again = false;
        try {
          this.accept(await this.fetch());
        } catch (err) {
          this.onError(err);
        }
      } while (this.again);
    };
    this.inFlight = run().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}
