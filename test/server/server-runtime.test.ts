// The language server process runs with the V8 settings of src/host/runtime.ts. V8's pretenuring
// trace writes to stdout, beside the protocol's messages: the test reads the server's raw output
// (messages written here by hand, no JSON-RPC reader that the trace would confuse).

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateArmTemplate } from '../../bench/check-bench';
import { V8_DEFAULTS_VARIABLE } from '../../src/host/runtime';
import { SERVER } from './lsp-client';

/** One framed JSON-RPC message. */
function frame(message: unknown): string {
  const body = JSON.stringify(message);
  return `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`;
}

/**
 * Starts the server on `folder` with V8's pretenuring trace, initializes it (declaring no optional
 * capability, so it asks nothing back), and once it reports the workspace checked
 * (`amlnet/reportChanged` ready) shuts it down as an editor does; returns its raw stdout, complete
 * once the process has exited (V8 writes its trace through a buffer that is flushed at exit).
 * Bounded.
 */
function serverOutput(folder: string, env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, ['--trace-pretenuring-statistics', SERVER, '--stdio'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let ready = false;
  return new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the server did not check and exit within 100 s; stderr: ${err.slice(-1000)}`));
    }, 100_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!ready && /"method":"amlnet\/reportChanged".*?"state":"ready"/.test(out)) {
        ready = true;
        child.stdin.write(frame({ jsonrpc: '2.0', id: 2, method: 'shutdown', params: null }));
        child.stdin.write(frame({ jsonrpc: '2.0', method: 'exit', params: null }));
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (ready && code === 0) resolvePromise(out);
      else reject(new Error(`the server exited (${code}) ${ready ? 'after' : 'before'} its ready report: ${err.slice(-1000)}`));
    });
    child.stdin.write(frame({
      jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { debounceMs: 0 }, workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'ws' }] },
    }));
    child.stdin.write(frame({ jsonrpc: '2.0', method: 'initialized', params: {} }));
  });
}

describe('language server process', function () {
  this.timeout(150_000);
  let dir: string;

  before(() => {
    // A template large enough for V8 to weigh pretenuring while the server checks it.
    dir = mkdtempSync(join(tmpdir(), 'amlnet-server-v8-'));
    writeFileSync(join(dir, 'azuredeploy.json'), generateArmTemplate(1));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('checks with allocation-site pretenuring off (src/host/runtime.ts), and with V8 defaults under AMLNET_V8_DEFAULTS=1', async () => {
    const env = { ...process.env };
    delete env[V8_DEFAULTS_VARIABLE];
    // Matched as booleans: the output holds megabytes of diagnostics.
    const tuned = await serverOutput(dir, env);
    assert.ok(tuned.includes('"method":"textDocument/publishDiagnostics"'), 'no diagnostics published');
    assert.ok(!tuned.includes('pretenuring'), 'V8 made pretenuring decisions in the server');
    const defaults = await serverOutput(dir, { ...env, [V8_DEFAULTS_VARIABLE]: '1' });
    assert.ok(defaults.includes('pretenuring: AllocationSite'), 'no pretenuring trace with V8 defaults: the workload does not show the difference');
  });
});
