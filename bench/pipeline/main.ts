/**
 * Pipelined throughput and client CPU per request, one session per client, against one real server:
 * zkts, node-zookeeper-client 1.1.3 ("nzc") and the ZooKeeper Java client (async API).
 *
 *   npx tsx bench/pipeline/main.ts [--quick] [--json <file>] [--connect host:port] [--rounds <n>]
 *                                   [--clients zkts,nzc,java[,floor]] [--zkts-entry <module>] [--ab <module>]
 *
 * Workloads: (a) getData of a 100-byte node, 100,000 requests, at most 1,000 in flight (a sliding
 * window: the next request starts as each one completes); (b) create (persistent, 100 bytes) then
 * delete of the same node, 20,000 pairs, at most 1,000 pairs in progress. Every client runs in its own
 * process, alone, warm-up then measured; rounds alternate the order; the table shows medians.
 * `--clients ...,floor` adds a diagnostic client with no library (bench/pipeline/socket-floor.ts).
 * Exports setup / run / teardown and taskSize for a driver that runs several benchmarks.
 * See bench/README.md, "Pipeline benchmark", for the method and the figures.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connect } from '../../src/entry/node.js';
import { type ZkServer, startStandalone } from '../../test/support/zookeeper/index.js';
import { cpuBaseline, median } from '../codec/harness.js';
import { type JavaRunner, javaCommand, prepareJava } from './java.js';
import { type PhaseName, type PhaseResult, type RunSpec, parseResults, payload, specArgs } from './spec.js';

export type ClientName = 'zkts' | 'nzc' | 'java' | 'floor' | 'zkts-B';

export interface Options {
  quick: boolean;
  json: string | undefined;
  /** An existing server: work under a fresh prefix there and remove it afterwards. */
  connect: string | undefined;
  rounds: number | undefined;
  clients: ClientName[];
  /** The zkts build to measure (its entry module, e.g. another checkout's src/entry/node.ts). */
  zktsEntry: string | undefined;
  /** A second zkts build, measured as client "zkts-B" in the same rounds (A/B runs). */
  ab: string | undefined;
}

/** Requests per run: each client performs this much measured work per round (plus warm-up). */
export function taskSize(quick: boolean): Pick<RunSpec, 'gets' | 'getWarmup' | 'pairs' | 'pairWarmup' | 'window'> & {
  rounds: number;
} {
  return quick
    ? { gets: 20_000, getWarmup: 5_000, pairs: 4_000, pairWarmup: 1_000, window: 1_000, rounds: 1 }
    : { gets: 100_000, getWarmup: 20_000, pairs: 20_000, pairWarmup: 2_000, window: 1_000, rounds: 3 };
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE_RUNNER = fileURLToPath(new URL('./node-runner.ts', import.meta.url));
const DATA_SIZE = 100;
const SESSION_TIMEOUT = 30_000;
/** Bound on one client run (connect, warm-up, both phases, close). */
const RUN_TIMEOUT_MS = 180_000;

/** Server settings: ZooKeeper's defaults where the test harness lowers them for speed. */
const SERVER_CONFIG = { forceSync: 'yes', preAllocSize: 65536 };
/** The harness runs test servers C1-only with serial GC and 128 MB; a benchmark wants a normal JVM. */
const SERVER_JVM_FLAGS = ['-XX:TieredStopAtLevel=4', '-XX:-UseSerialGC', '-XX:+UseG1GC', '-Xms512m'];

export interface RunRecord {
  round: number;
  client: ClientName;
  results: PhaseResult[];
}

export interface Cell {
  opsPerSec: number;
  cpuUsPerOp: number;
  serverCpuUsPerOp: number | null;
  rounds: { opsPerSec: number; cpuUsPerOp: number }[];
}

export interface Report {
  machine: {
    nproc: number;
    cpu: string;
    node: string;
    java: string | undefined;
    /** 1-minute load average before and after the runs: other work on the machine skews every figure. */
    load1: [number, number];
    baselineMs: number;
  };
  server: string;
  command: string;
  task: ReturnType<typeof taskSize>;
  skipped: string[];
  runs: RunRecord[];
  cells: Partial<Record<PhaseName, Partial<Record<ClientName, Cell>>>>;
  ratios: Partial<Record<PhaseName, { zktsVsNzcCpu: number | null; zktsVsJavaOps: number | null }>>;
  elapsedS: number;
}

export interface Context {
  opts: Options;
  server: ZkServer | undefined;
  connectString: string;
  prefix: string;
  serverPid: number;
  clkTck: number;
  java: JavaRunner | undefined;
  skipped: string[];
  serverDescription: string;
}

function usage(): string {
  return 'usage: tsx bench/pipeline/main.ts [--quick] [--json <file>] [--connect host:port] [--rounds <n>] [--clients zkts,nzc,java[,floor]] [--zkts-entry <module>] [--ab <module>]';
}

export function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    quick: false,
    json: undefined,
    connect: undefined,
    rounds: undefined,
    clients: ['zkts', 'nzc', 'java'],
    zktsEntry: undefined,
    ab: undefined,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined || v.startsWith('--')) {
      console.error(`${flag} needs a value\n${usage()}`);
      process.exit(2);
    }
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = value(++i, a);
    else if (a === '--connect') o.connect = value(++i, a);
    else if (a === '--rounds') o.rounds = Math.max(1, Math.floor(Number(value(++i, a))) || 1);
    else if (a === '--clients') {
      const list = value(++i, a).split(',');
      const bad = list.filter((c) => c !== 'zkts' && c !== 'nzc' && c !== 'java' && c !== 'floor');
      if (bad.length > 0) {
        console.error(`unknown client ${bad.join(',')}\n${usage()}`);
        process.exit(2);
      }
      o.clients = list as ClientName[];
    } else if (a === '--zkts-entry') o.zktsEntry = resolvePath(value(++i, a));
    else if (a === '--ab') o.ab = resolvePath(value(++i, a));
    else if (a === '--help' || a === '-h') {
      console.log(usage());
      process.exit(0);
    } else {
      console.error(`unknown argument ${a}\n${usage()}`);
      process.exit(2);
    }
  }
  if (o.connect !== undefined && !/^127\.0\.0\.1:\d+$|^localhost:\d+$|^\[::1\]:\d+$/.test(o.connect)) {
    console.error('--connect takes a loopback host:port (127.0.0.1:<port>)');
    process.exit(2);
  }
  if (o.ab !== undefined) o.clients.push('zkts-B');
  return o;
}

function clockTicks(): number {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return n > 0 ? n : 100;
}

/** Starts (or attaches to) the server, creates the nodes, compiles the Java runner. */
export async function setup(opts: Options): Promise<Context> {
  const skipped: string[] = [];
  let server: ZkServer | undefined;
  let connectString: string;
  let prefix: string;
  let serverDescription: string;
  if (opts.connect !== undefined) {
    connectString = opts.connect;
    prefix = `/zkts-bench-pipeline-${process.pid}-${Date.now().toString(36)}`;
    serverDescription = `existing server at ${connectString} (its own settings), under ${prefix}`;
  } else {
    server = await startStandalone({ config: SERVER_CONFIG, jvmFlags: SERVER_JVM_FLAGS, heapMb: 512 });
    connectString = server.connectString;
    prefix = '/zkts-bench-pipeline';
    serverDescription = `standalone ZooKeeper started by test/support/zookeeper (forceSync=yes, preAllocSize=65536 KB, JVM ${SERVER_JVM_FLAGS.join(' ')} -Xmx512m)`;
  }
  try {
    const zk = await connect(connectString, { sessionTimeout: SESSION_TIMEOUT });
    try {
      await zk.create(prefix);
      await zk.create(`${prefix}/data`, payload(DATA_SIZE));
      await zk.create(`${prefix}/pairs`);
    } finally {
      await zk.close();
    }
  } catch (err) {
    await server?.destroy();
    throw err;
  }
  let java: JavaRunner | undefined;
  if (opts.clients.includes('java')) {
    const prepared = prepareJava();
    if (typeof prepared === 'string') {
      skipped.push(prepared);
      console.log(prepared);
    } else java = prepared;
  }
  return {
    opts,
    server,
    connectString,
    prefix,
    serverPid: server?.pid ?? 0,
    clkTck: clockTicks(),
    java,
    skipped,
    serverDescription,
  };
}

function commandFor(ctx: Context, client: ClientName, spec: RunSpec): string[] | undefined {
  const args = specArgs(spec);
  if (client === 'java') return ctx.java === undefined ? undefined : javaCommand(ctx.java, args);
  const entry = client === 'zkts-B' ? ctx.opts.ab : ctx.opts.zktsEntry;
  const name = client === 'zkts-B' ? 'zkts' : client;
  return [process.execPath, '--import', 'tsx', NODE_RUNNER, name, entry ?? '-', ...args];
}

/** One client, alone: its own process, its own session; resolves with its RESULT lines. */
function runClient(cmd: string[]): Promise<PhaseResult[]> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const results = parseResults(out);
      if (code === 0 && results.length === 2) resolve(results);
      else reject(new Error(`${cmd.slice(0, 4).join(' ')} ... exited ${code ?? signal}: ${err.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs every client in every round (order alternating) and reduces the runs to medians. */
export async function run(ctx: Context): Promise<Report> {
  const t0 = Date.now();
  const loadBefore = loadavg()[0]!;
  const task = taskSize(ctx.opts.quick);
  const rounds = ctx.opts.rounds ?? task.rounds;
  const clients = ctx.opts.clients.filter((c) => c !== 'java' || ctx.java !== undefined);
  const runs: RunRecord[] = [];
  // Round 0 warms the server's JIT (one smaller zkts run); it is not recorded.
  for (let round = 0; round <= rounds; round++) {
    const order = round === 0 ? (['zkts'] as const) : round % 2 === 1 ? clients : [...clients].reverse();
    for (const client of order) {
      const spec: RunSpec = {
        connect: ctx.connectString,
        sessionTimeout: SESSION_TIMEOUT,
        dataPath: `${ctx.prefix}/data`,
        dataSize: DATA_SIZE,
        pairParent: `${ctx.prefix}/pairs`,
        tag: `r${round}${client.replace(/[^a-z]/gi, '')}`,
        // The server warm-up run does a quarter of the work: enough for the server's JIT.
        gets: round === 0 ? task.gets / 4 : task.gets,
        getWarmup: task.getWarmup,
        pairs: round === 0 ? task.pairs / 4 : task.pairs,
        pairWarmup: task.pairWarmup,
        window: task.window,
        serverPid: ctx.serverPid,
        clkTck: ctx.clkTck,
      };
      const cmd = commandFor(ctx, client, spec)!;
      const results = await runClient(cmd);
      if (round > 0) runs.push({ round, client, results });
      process.stderr.write(
        `  ${round === 0 ? 'server warm-up' : `round ${round}`} ${client.padEnd(6)} ${results
          .map((r) => `${r.phase} ${fmtInt((r.ops * 1000) / r.wallMs)} req/s ${(r.cpuUs / r.ops).toFixed(1)} us/req`)
          .join('; ')}\n`,
      );
      await sleep(300); // let the server finish closing the session before the next client starts
    }
  }
  const cells: Report['cells'] = {};
  const ratios: Report['ratios'] = {};
  for (const phase of ['getData', 'createDelete'] as const) {
    const byClient: Partial<Record<ClientName, Cell>> = {};
    for (const client of clients) {
      const rs = runs.filter((r) => r.client === client).map((r) => r.results.find((x) => x.phase === phase)!);
      const server = rs.filter((r) => r.serverCpuUs !== null).map((r) => r.serverCpuUs! / r.ops);
      byClient[client] = {
        opsPerSec: median(rs.map((r) => (r.ops * 1000) / r.wallMs)),
        cpuUsPerOp: median(rs.map((r) => r.cpuUs / r.ops)),
        serverCpuUsPerOp: server.length > 0 ? median(server) : null,
        rounds: rs.map((r) => ({ opsPerSec: (r.ops * 1000) / r.wallMs, cpuUsPerOp: r.cpuUs / r.ops })),
      };
    }
    cells[phase] = byClient;
    const z = byClient.zkts;
    ratios[phase] = {
      zktsVsNzcCpu: z && byClient.nzc ? z.cpuUsPerOp / byClient.nzc.cpuUsPerOp : null,
      zktsVsJavaOps: z && byClient.java ? z.opsPerSec / byClient.java.opsPerSec : null,
    };
  }
  const cpuModel = cpus()[0]?.model.trim() ?? 'unknown';
  return {
    machine: {
      nproc: cpus().length,
      cpu: cpuModel,
      node: process.version,
      java: ctx.java?.version,
      load1: [loadBefore, loadavg()[0]!],
      baselineMs: 0,
    },
    server: ctx.serverDescription,
    command: `npx tsx bench/pipeline/main.ts ${process.argv.slice(2).join(' ')}`.trim(),
    task: { ...task, rounds },
    skipped: ctx.skipped,
    runs,
    cells,
    ratios,
    elapsedS: (Date.now() - t0) / 1000,
  };
}

/** Removes the benchmark's nodes, stops the server it started, deletes the compiled Java runner. */
export async function teardown(ctx: Context): Promise<void> {
  try {
    const zk = await connect(ctx.connectString, { sessionTimeout: SESSION_TIMEOUT });
    try {
      const left = await zk.getChildren(`${ctx.prefix}/pairs`);
      await Promise.all(left.map((c) => zk.delete(`${ctx.prefix}/pairs/${c}`)));
      await zk.delete(`${ctx.prefix}/pairs`);
      await zk.delete(`${ctx.prefix}/data`);
      await zk.delete(ctx.prefix);
    } finally {
      await zk.close();
    }
  } catch (err) {
    if (ctx.server === undefined) console.error(`clean-up of ${ctx.prefix} failed:`, err);
  } finally {
    ctx.java?.dispose();
    await ctx.server?.destroy();
  }
}

function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

const LABEL: Record<ClientName, string> = {
  zkts: 'zkts',
  'zkts-B': 'zkts (B build)',
  nzc: 'node-zookeeper-client 1.1.3',
  java: 'ZooKeeper Java client (async API)',
  floor: 'Node socket floor (no library)',
};
const PHASE_LABEL: Record<PhaseName, string> = {
  getData: 'getData, 100 B, window 1,000',
  createDelete: 'create+delete, window 1,000 pairs',
};

export function renderReport(r: Report): string {
  const lines: string[] = [];
  lines.push('| workload | client | req/s | client CPU us/req | server CPU us/req | req/s per round |');
  lines.push('|---|---|---:|---:|---:|---|');
  for (const phase of ['getData', 'createDelete'] as const) {
    for (const [client, c] of Object.entries(r.cells[phase] ?? {}) as [ClientName, Cell][]) {
      lines.push(
        `| ${PHASE_LABEL[phase]} | ${LABEL[client]} | ${fmtInt(c.opsPerSec)} | ${c.cpuUsPerOp.toFixed(1)} | ${
          c.serverCpuUsPerOp === null ? 'n/a' : c.serverCpuUsPerOp.toFixed(1)
        } | ${c.rounds.map((x) => fmtInt(x.opsPerSec)).join(' / ')} |`,
      );
    }
  }
  lines.push('');
  lines.push('| workload | zkts / nzc client CPU per req (goal <= 0.33) | zkts / Java req/s (goal >= 1.00) |');
  lines.push('|---|---:|---:|');
  for (const phase of ['getData', 'createDelete'] as const) {
    const q = r.ratios[phase];
    const f = (x: number | null | undefined, goal: (v: number) => boolean): string =>
      x === null || x === undefined ? 'n/a' : `${x.toFixed(2)} ${goal(x) ? '(met)' : '(missed)'}`;
    lines.push(
      `| ${PHASE_LABEL[phase]} | ${f(q?.zktsVsNzcCpu, (v) => v <= 1 / 3)} | ${f(q?.zktsVsJavaOps, (v) => v >= 1)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const task = taskSize(opts.quick);
  const baseline = cpuBaseline();
  console.log(
    `machine: ${cpus().length} CPUs, ${cpus()[0]?.model.trim() ?? 'unknown'}, node ${process.version}; cpu baseline ${baseline.ms.toFixed(1)} ms (codec bench's xorshift32 x 50M; lower = faster)`,
  );
  console.log(
    `method: one session per client, each client alone in its own process; per run ${fmtInt(task.getWarmup)} + ${fmtInt(task.gets)} getData, ${fmtInt(task.pairWarmup)} + ${fmtInt(task.pairs)} create+delete pairs (warm-up + measured), window ${fmtInt(task.window)}; one unrecorded server warm-up run, then ${opts.rounds ?? task.rounds} round(s), order alternating; medians${opts.quick ? ' (--quick)' : ''}`,
  );
  const ctx = await setup(opts);
  let report: Report;
  try {
    console.log(`server: ${ctx.serverDescription}`);
    if (ctx.java !== undefined) console.log(`java client: ${ctx.java.version}, JVM default flags`);
    report = await run(ctx);
  } finally {
    await teardown(ctx);
  }
  report.machine.baselineMs = baseline.ms;
  console.log('');
  console.log(renderReport(report));
  console.log('');
  console.log(
    `client CPU: process.cpuUsage() of the Node runner / getProcessCpuTime() of the JVM over the measured phase, every thread (GC and JIT included). ${fmtInt(report.elapsedS)} s of runs; load average ${report.machine.load1[0].toFixed(1)} before, ${report.machine.load1[1].toFixed(1)} after (${report.machine.nproc} CPUs).`,
  );
  if (opts.json !== undefined) {
    writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${opts.json}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
