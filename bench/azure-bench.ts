/**
 * Live Azure at tenant scale, against the local HTTPS test server (test/azure/fake-arm-server.ts):
 * 200 subscriptions and 5,000 NSGs read through Azure Resource Graph (target: at most 10 HTTP
 * requests), beside the per-subscription way (arm-network and arm-machinelearning list calls),
 * with the request count and time of both. The reads are asynchronous, so the case runs in a
 * child process of its own (the bench's cases are synchronous).
 */

import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { AzureReadResult } from '../src/azure/read-azure';
import { median } from './measure';

const SUBSCRIPTIONS = 200;
const NSGS_PER_SUBSCRIPTION = 25;
const TARGET_REQUESTS = 10;

/** The bench case: runs this file as a child process and waits for it. */
export function azureTenantBench(runs: number): void {
  execFileSync(process.execPath, ['--enable-source-maps', __filename, '--azure-child', String(runs)], { stdio: 'inherit' });
}

async function child(runs: number): Promise<void> {
  // Loaded here, in the child: bench/run.ts imports this file, and the other cases (the RSS one
  // above all) should not carry the Azure SDKs.
  const { readAzure } = await import('../src/azure/read-azure.js');
  const { FakeArmServer } = await import('../test/azure/fake-arm-server.js');
  const { StaticCredential, TEST_TOKEN } = await import('../test/azure/support.js');
  const { generatedTenant, tenantData } = await import('../test/azure/tenant.js');
  const tenant = generatedTenant(SUBSCRIPTIONS, NSGS_PER_SUBSCRIPTION);
  const data = tenantData(tenant);
  const server = new FakeArmServer(data, TEST_TOKEN);
  await server.start();
  try {
    const read = async (mode: 'graph' | 'per-subscription') => {
      const times: number[] = [];
      let last: AzureReadResult | undefined;
      let served = 0;
      for (let i = 0; i < runs + 1; i++) {
        server.reset();
        const start = performance.now();
        last = await readAzure({ credential: new StaticCredential(), endpoint: server.url, ca: server.certificate, mode, concurrency: 16 });
        if (i > 0) times.push(performance.now() - start); // the first run warms up
        served = server.log.length;
      }
      return { result: last!, ms: median(times), served };
    };
    const graph = await read('graph');
    const per = await read('per-subscription');
    const rows = data.resources.length;
    console.log(`  tenant: ${SUBSCRIPTIONS} subscriptions, ${graph.result.model.nsgs.length} NSGs, ${rows} resources (${graph.result.model.vnets.length} VNets, ${graph.result.model.subnets.length} subnets, ${graph.result.model.workspaces.length} workspaces, ${graph.result.model.computes.length} computes)`);
    for (const [label, r] of [['Resource Graph:  ', graph], ['per subscription:', per]] as const) {
      const ok = r.result.subscriptions.filter((s) => s.state === 'ok').length;
      console.log(`  ${label} ${String(r.result.requests).padStart(5)} HTTP requests (server saw ${r.served}), median ${r.ms.toFixed(0)} ms over ${runs} run${runs === 1 ? '' : 's'}; ${ok}/${r.result.subscriptions.length} subscriptions, ${r.result.model.nsgs.length} NSGs`);
    }
    const same = JSON.stringify(graph.result.model.nsgs) === JSON.stringify(per.result.model.nsgs);
    console.log(`  same NSGs both ways: ${same ? 'yes' : 'NO'}; target <= ${TARGET_REQUESTS} requests through Resource Graph: ${graph.result.requests <= TARGET_REQUESTS ? 'met' : 'NOT MET'}`);
    if (!same || graph.result.requests > TARGET_REQUESTS) process.exitCode = 1;
  } finally {
    await server.close();
  }
}

if (require.main === module && process.argv[2] === '--azure-child') {
  child(Math.max(1, Number(process.argv[3]) || 1)).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
