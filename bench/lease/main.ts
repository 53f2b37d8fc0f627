/**
 * `npm run bench:lease`: what keeping a lock's lease valid costs (src/session/validity-keeper.ts). A
 * client holds a Mutex and does nothing else for a while; a FaultProxy in front of its server counts
 * what it sends, by opcode. The same for a client that holds nothing (its pings), for comparison.
 * Standalone server and a 3-node ensemble (the holder on a follower), tickTime 2000 (the server's
 * default), session timeouts 4 s and 10 s. Writes bench/results/lease-cost.{json,md}.
 *
 *   npx tsx bench/lease/main.ts [--seconds 30]
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { OpCode } from '../../src/protocol/constants.js';
import { connect } from '../../src/entry/node.js';
import { Mutex } from '../../src/recipes/mutex.js';
import { FaultProxy } from '../../test/support/proxy/index.js';
import { startEnsemble, startStandalone, type ZkServer } from '../../test/support/zookeeper/index.js';

export interface LeaseCostRow {
  topology: string;
  sessionTimeoutMs: number;
  seconds: number;
  holding: boolean;
  perSecond: { sync: number; multi: number; ping: number; total: number };
  leaseValidAheadMs: { min: number; max: number };
  lapsed: boolean;
}

const argSeconds = process.argv.indexOf('--seconds');
const SECONDS = argSeconds > 0 ? Number(process.argv[argSeconds + 1]) : 30;

async function measure(server: ZkServer, topology: string, sessionTimeout: number, holding: boolean): Promise<LeaseCostRow> {
  const proxy = await FaultProxy.start({ target: { host: server.host, port: server.clientPort } });
  const zk = await connect(proxy.address, { sessionTimeout });
  try {
    const lease = holding ? await new Mutex(zk, `/lease-cost-${sessionTimeout}`).acquire() : undefined;
    proxy.resetCounts();
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    const started = performance.now();
    while (performance.now() - started < SECONDS * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (lease !== undefined) {
        const ahead = lease.validUntil - zk.now();
        min = Math.min(min, ahead);
        max = Math.max(max, ahead);
      }
    }
    const elapsed = (performance.now() - started) / 1000;
    const counts = proxy.requestCounts();
    const per = (op: number): number => (counts.get(op) ?? 0) / elapsed;
    const total = [...counts.entries()].filter(([k]) => k !== 'connect').reduce((sum, [, n]) => sum + n, 0) / elapsed;
    const row: LeaseCostRow = {
      topology,
      sessionTimeoutMs: zk.sessionTimeout,
      seconds: Math.round(elapsed),
      holding,
      perSecond: { sync: per(OpCode.sync), multi: per(OpCode.multi), ping: per(OpCode.ping), total },
      leaseValidAheadMs: { min: Math.round(min), max: Math.round(max) },
      lapsed: lease !== undefined && lease.signal.aborted,
    };
    await lease?.release();
    return row;
  } finally {
    await zk.close();
    await proxy.close();
  }
}

async function main(): Promise<void> {
  const rows: LeaseCostRow[] = [];
  const standalone = await startStandalone({ tickTime: 2000 });
  try {
    for (const t of [4000, 10_000]) {
      for (const holding of [false, true]) rows.push(await measure(standalone, 'standalone', t, holding));
      process.stderr.write(`standalone T=${t}: done\n`);
    }
  } finally {
    await standalone.destroy();
  }
  const ensemble = await startEnsemble(3, { tickTime: 2000 });
  try {
    const follower = (await ensemble.followers())[0]!;
    for (const t of [4000, 10_000]) {
      for (const holding of [false, true]) rows.push(await measure(follower, 'ensemble of 3, on a follower', t, holding));
      process.stderr.write(`ensemble T=${t}: done\n`);
    }
  } finally {
    await ensemble.destroy();
  }
  const lines = [
    '# Lease cost: requests per second of an idle session, holding a Mutex or not',
    '',
    `Command: \`npx tsx bench/lease/main.ts --seconds ${SECONDS}\`. Machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}. tickTime 2000.`,
    '',
    leaseCostTable(rows),
    '',
  ];
  const dir = join(import.meta.dirname, '..', 'results');
  writeFileSync(join(dir, 'lease-cost.json'), `${JSON.stringify({ when: new Date().toISOString(), seconds: SECONDS, rows }, null, 2)}\n`);
  writeFileSync(join(dir, 'lease-cost.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

/** The table of a run's rows (also rendered on the results page). */
export function leaseCostTable(rows: readonly LeaseCostRow[]): string {
  const fmt = (x: number): string => x.toFixed(2);
  return [
    '| server | T (ms) | holding | sync/s | multi/s | ping/s | all/s | lease valid ahead (ms, min..max) | lapsed |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.topology} | ${r.sessionTimeoutMs} | ${r.holding ? 'yes' : 'no'} | ${fmt(r.perSecond.sync)} | ${fmt(r.perSecond.multi)} | ${fmt(r.perSecond.ping)} | ${fmt(r.perSecond.total)} | ${r.holding ? `${r.leaseValidAheadMs.min}..${r.leaseValidAheadMs.max}` : '-'} | ${r.holding ? String(r.lapsed) : '-'} |`,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`)
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`lease cost: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
