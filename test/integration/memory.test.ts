/**
 * Memory under a long pipelined run against the real server: 100,000 getData calls on a 100-byte node,
 * at most 1,000 in flight, must all complete, and once they have, a full GC brings the heap back near
 * where it started. A session that kept anything per request (settled entries in its queues, reply
 * frames, watch or timer bookkeeping) would grow by tens of MB over 100,000 requests.
 *
 * The bound is on bytes after a forced GC, never on time. Vitest 4 has no per-file execArgv, so gc()
 * comes from V8 directly: --expose-gc set at run time, the function taken from a fresh context.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, type ZooKeeper } from '../../src/entry/node.js';
import { createChroot, type TestChroot } from '../support/zookeeper/index.js';

const REQUESTS = 100_000;
const WINDOW = 1000;
const NODE_SIZE = 100;
const HEAP_SLACK = 20 * 1024 * 1024;

function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** Heap in use after full collections, with event-loop turns between them for weak callbacks to run. */
async function settledHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** Runs `total` getData calls with at most `window` outstanding; returns how many returned the node's bytes. */
async function pipelined(zk: ZooKeeper, total: number, window: number): Promise<{ ok: number; maxInFlight: number }> {
  let issued = 0;
  let ok = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const worker = async (): Promise<void> => {
    while (issued < total) {
      issued++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const { data } = await zk.getData('/m');
      inFlight--;
      if (data?.length === NODE_SIZE) ok++;
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  return { ok, maxInFlight };
}

describe('memory', () => {
  let chroot: TestChroot;
  let zk: ZooKeeper;

  beforeAll(async () => {
    chroot = await createChroot(inject('zkConnect'), 'memory');
    zk = await connect(chroot.connectString, { sessionTimeout: 30_000 });
    await zk.create('/m', new Uint8Array(NODE_SIZE).fill(0x5a));
  });

  afterAll(async () => {
    await zk?.close();
    await chroot?.cleanup();
  });

  it('memory - 100,000 pipelined getData calls complete and the heap returns near its baseline', async () => {
    const gc = gcFunction();
    // Warm up first, so code compiled for the request path counts in the baseline, not as growth.
    expect((await pipelined(zk, 2000, 100)).ok).toBe(2000);
    const baseline = await settledHeap(gc);

    const run = await pipelined(zk, REQUESTS, WINDOW);
    expect(run.ok).toBe(REQUESTS);
    expect(run.maxInFlight).toBeLessThanOrEqual(WINDOW);
    expect(zk.state).toBe('connected');

    const after = await settledHeap(gc);
    expect(after - baseline, `heap grew from ${baseline} to ${after} bytes`).toBeLessThan(HEAP_SLACK);
  });
});
