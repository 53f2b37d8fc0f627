/**
 * Child process that runs one Node client's session for bench/pipeline/main.ts:
 *
 *   node --import tsx bench/pipeline/node-runner.ts <zkts|nzc|floor> <zkts entry module|-> key=value...
 *
 * Client CPU is process.cpuUsage() (user + system of the whole process: V8's GC and compiler threads
 * included) across each measured phase; one `RESULT {json}` line per phase on stdout.
 */
import { performance } from 'node:perf_hooks';
import { type Driver, nzcDriver, zktsDriver } from './drivers.js';
import { floorDriver } from './socket-floor.js';
import { type PhaseName, type PhaseResult, parseSpecArgs, procTicks } from './spec.js';

const [client, entry, ...rest] = process.argv.slice(2);
const spec = parseSpecArgs(rest);

async function measure(phase: PhaseName, ops: number, run: () => Promise<void>): Promise<void> {
  const server0 = procTicks(spec.serverPid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const server1 = procTicks(spec.serverPid);
  const result: PhaseResult = {
    phase,
    ops,
    wallMs: t1 - t0,
    cpuUs: cpu.user + cpu.system,
    userUs: cpu.user,
    serverCpuUs: server0 < 0 || server1 < 0 ? null : ((server1 - server0) * 1e6) / spec.clkTck,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  let driver: Driver;
  if (client === 'zkts') driver = await zktsDriver(spec, entry === undefined || entry === '-' ? undefined : entry);
  else if (client === 'nzc') driver = await nzcDriver(spec);
  else if (client === 'floor') driver = await floorDriver(spec);
  else throw new Error(`unknown client ${String(client)}`);
  try {
    await driver.gets(spec.getWarmup);
    await measure('getData', spec.gets, () => driver.gets(spec.gets));
    await driver.pairs(`${spec.tag}w`, spec.pairWarmup);
    await measure('createDelete', 2 * spec.pairs, () => driver.pairs(`${spec.tag}m`, spec.pairs));
  } finally {
    await driver.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
