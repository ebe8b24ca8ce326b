import * as assert from 'node:assert/strict';
import { ReportStore } from '../../src/client/report-store';
import type { ReportResult } from '../../src/server/protocol';
import { report } from './report-builders';

function result(version: number, state: 'indexing' | 'ready' = 'ready'): ReportResult {
  return { state, version, templateCount: 1, report: report([]) };
}

/** A fetch whose answers the test hands out one by one. */
function controlledFetch(): { fetch: () => Promise<ReportResult>; calls: number; answer(r: ReportResult): void; fail(e: Error): void } {
  const pending: { resolve: (r: ReportResult) => void; reject: (e: Error) => void }[] = [];
  const self = {
    calls: 0,
    fetch: () => {
      self.calls++;
      return new Promise<ReportResult>((resolve, reject) => pending.push({ resolve, reject }));
    },
    answer: (r: ReportResult) => {
      const next = pending.shift();
      assert.ok(next, 'no request is waiting');
      next.resolve(r);
    },
    fail: (e: Error) => {
      const next = pending.shift();
      assert.ok(next, 'no request is waiting');
      next.reject(e);
    },
  };
  return self;
}

/** Lets pending promise callbacks run (no timers). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('client report store', () => {
  it('drops an answer older than the one shown', () => {
    const store = new ReportStore(() => Promise.reject(new Error('unused')));
    let changes = 0;
    store.onDidChange(() => changes++);
    assert.equal(store.accept(result(5)), true);
    assert.equal(store.accept(result(3)), false);
    assert.equal(store.result?.version, 5);
    assert.equal(changes, 1);
    assert.equal(store.accept(result(5)), true, 'the same version again (a re-ask) is shown');
  });

  it('resolves whenReady only after a ready report reached the listeners', async () => {
    const store = new ReportStore(() => Promise.reject(new Error('unused')));
    const events: string[] = [];
    store.onDidChange(() => events.push(`change ${store.state}`));
    const ready = store.whenReady().then(() => events.push('ready'));
    store.accept(result(1, 'indexing'));
    await settle();
    assert.deepEqual(events, ['change indexing']);
    store.accept(result(2, 'ready'));
    await ready;
    assert.deepEqual(events, ['change indexing', 'change ready', 'ready']);
    await store.whenReady();
  });

  it('rejects whenReady when the server fails first, and reports the failed state', async () => {
    const store = new ReportStore(() => Promise.reject(new Error('unused')));
    const waiting = store.whenReady();
    store.fail('server crashed');
    await assert.rejects(waiting, /server crashed/);
    assert.equal(store.state, 'failed');
    await assert.rejects(store.whenReady(), /server crashed/);
    store.accept(result(1));
    assert.equal(store.state, 'ready');
  });

  it('has one request out at a time and asks once more for changes that came meanwhile', async () => {
    const f = controlledFetch();
    const store = new ReportStore(f.fetch);
    const first = store.refresh();
    void store.refresh();
    void store.refresh();
    assert.equal(f.calls, 1);
    f.answer(result(1));
    await settle();
    assert.equal(f.calls, 2, 'one more request for the two changes that arrived meanwhile');
    f.answer(result(2));
    await first;
    assert.equal(f.calls, 2);
    assert.equal(store.result?.version, 2);
  });

  it('logs a failed request and keeps working', async () => {
    const f = controlledFetch();
    const errors: unknown[] = [];
    const store = new ReportStore(f.fetch, (e) => errors.push(e));
    const p = store.refresh();
    f.fail(new Error('timeout'));
    await p;
    assert.equal(errors.length, 1);
    const q = store.refresh();
    f.answer(result(1));
    await q;
    assert.equal(store.result?.version, 1);
  });

  it('accepts a restarted server\'s answers although their versions start again', () => {
    const store = new ReportStore(() => Promise.reject(new Error('unused')));
    store.accept(result(40));
    assert.equal(store.accept(result(1)), false);
    store.serverRestarted();
    assert.equal(store.accept(result(1)), true);
  });
});
