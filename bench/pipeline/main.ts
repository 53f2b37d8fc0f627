/**
 * Pipelined throughput and client CPU per request, one session per client, against one real server:
 * zkts, node-zookeeper-client 1.1.3 ("nzc") and the ZooKeeper Java client (async API).
 *
 *   npx tsx bench/pipeline/main.ts [--quick] [--json <file>] [--connect host:port] [--rounds <n>]
 *                                   [--clients zkts,nzc,java[,floor]] [--zkts-entry <module>] [--ab <module>]
 *                                   [--runtime node,bun,deno]
 *
 * Workloads: (a) getData of a 100-byte node, 100,000 requests, at most 1,000 in flight (a sliding
 * window: the next request starts as each one completes); (b) create (persistent, 100 bytes) then
 * delete of the same node, 20,000 pairs, at most 1,000 pairs in progress. Every client runs in its own
 * process, alone, warm-up then measured; rounds alternate the order; the table shows medians.
 * `--clients ...,floor` adds a diagnostic client with no library (bench/pipeline/socket-floor.ts).
 * `--runtime node,bun,deno` measures zkts alone, its client side under each runtime (bench/shared/runtimes.ts):
 * Node, and each other runtime's native transport and its Node-compat path, all in the same rounds, with
 * ratios against Node (clients `zkts@node`, `zkts@bun`, `zkts@bun:node`, `zkts@deno`, `zkts@deno:node`).
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
import {
  type RuntimeName,
  type RuntimeVariant,
  entryOf,
  parseRuntimes,
  runtimeCommand,
  runtimeOf,
  runtimeVersion,
  variantLabel,
  variantsOf,
} from '../shared/runtimes.js';
import { type JavaRunner, javaCommand, prepareJava } from './java.js';
import { type PhaseName, type PhaseResult, type RunSpec, parseResults, payload, specArgs } from './spec.js';

export type ClientName = 'zkts' | 'nzc' | 'java' | 'floor' | 'zkts-B' | `zkts@${RuntimeVariant}`;

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
  /** --runtime: zkts alone, under Node and each of these runtimes (native and Node-compat); else undefined. */
  runtimes: RuntimeName[] | undefined;
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
  /** --runtime runs: the runtimes' versions, and each variant's figures against Node's and its runtime's Node-compat path. */
  runtimes?: {
    versions: Partial<Record<RuntimeName, string>>;
    variants: RuntimeVariant[];
    ratios: Partial<Record<PhaseName, Partial<Record<RuntimeVariant, RuntimeRatios>>>>;
  };
  elapsedS: number;
}

/** One runtime variant's medians over Node's (`zkts@node`), and a native transport's over its runtime's Node-compat path. */
export interface RuntimeRatios {
  opsVsNode: number;
  cpuVsNode: number;
  /** Native variants only: req/s over the same runtime's Node-compat path (goal >= 1). */
  opsVsCompat: number | null;
  cpuVsCompat: number | null;
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
  return 'usage: tsx bench/pipeline/main.ts [--quick] [--json <file>] [--connect host:port] [--rounds <n>] [--clients zkts,nzc,java[,floor]] [--zkts-entry <module>] [--ab <module>] [--runtime node,bun,deno]';
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
    runtimes: undefined,
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
    else if (a === '--runtime') {
      try {
        o.runtimes = parseRuntimes(value(++i, a));
      } catch (err) {
        console.error(`${(err as Error).message}\n${usage()}`);
        process.exit(2);
      }
    } else if (a === '--help' || a === '-h') {
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
  if (o.runtimes !== undefined) {
    if (o.ab !== undefined || o.zktsEntry !== undefined) {
      console.error(`--runtime measures this tree's zkts: not with --ab or --zkts-entry\n${usage()}`);
      process.exit(2);
    }
    o.clients = variantsOf(o.runtimes).map((v) => `zkts@${v}` as const);
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
  if (client.startsWith('zkts@')) {
    const variant = client.slice('zkts@'.length) as RuntimeVariant;
    return [...runtimeCommand(variant, NODE_RUNNER), 'zkts', resolvePath(ROOT, 'src', 'entry', `${entryOf(variant)}.ts`), ...args];
  }
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
    const warm: ClientName = ctx.opts.runtimes === undefined ? 'zkts' : 'zkts@node';
    const order = round === 0 ? [warm] : round % 2 === 1 ? clients : [...clients].reverse();
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
        `  ${round === 0 ? 'server warm-up' : `round ${round}`} ${client.padEnd(ctx.opts.runtimes === undefined ? 6 : 14)} ${results
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
  const runtimes = ctx.opts.runtimes === undefined ? undefined : runtimeFigures(ctx.opts.runtimes, cells);
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
    ...(runtimes === undefined ? {} : { runtimes }),
    elapsedS: (Date.now() - t0) / 1000,
  };
}

/** Each runtime variant's medians against Node's, and each native transport's against its Node-compat path. */
function runtimeFigures(names: readonly RuntimeName[], cells: Report['cells']): NonNullable<Report['runtimes']> {
  const variants = variantsOf(names);
  const versions: Partial<Record<RuntimeName, string>> = {};
  for (const r of ['node', ...names] as RuntimeName[]) versions[r] = runtimeVersion(r);
  const ratios: NonNullable<Report['runtimes']>['ratios'] = {};
  for (const phase of ['getData', 'createDelete'] as const) {
    const byClient = cells[phase] ?? {};
    const node = byClient['zkts@node'];
    const out: Partial<Record<RuntimeVariant, RuntimeRatios>> = {};
    for (const v of variants) {
      const c = byClient[`zkts@${v}`];
      if (c === undefined || node === undefined) continue;
      const compat = v === 'bun' || v === 'deno' ? byClient[`zkts@${v}:node`] : undefined;
      out[v] = {
        opsVsNode: c.opsPerSec / node.opsPerSec,
        cpuVsNode: c.cpuUsPerOp / node.cpuUsPerOp,
        opsVsCompat: compat === undefined ? null : c.opsPerSec / compat.opsPerSec,
        cpuVsCompat: compat === undefined ? null : c.cpuUsPerOp / compat.cpuUsPerOp,
      };
    }
    ratios[phase] = out;
  }
  return { versions, variants, ratios };
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

const LABEL: Record<Exclude<ClientName, `zkts@${string}`>, string> = {
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

function label(client: ClientName, r: Report): string {
  return client.startsWith('zkts@')
    ? `zkts on ${variantLabel(client.slice('zkts@'.length) as RuntimeVariant, r.runtimes?.versions ?? {})}`
    : LABEL[client as Exclude<ClientName, `zkts@${string}`>];
}

/** The goals of issue 12, per runtime: a native transport at least as fast as its runtime's Node-compat path; CPU per request within 1.2x Node's. */
export const RUNTIME_GOALS = { opsVsCompat: 1, cpuVsNode: 1.2 } as const;

/** A --runtime run: every variant's medians with its ratios against Node, then the goals per runtime. */
export function renderRuntimeReport(r: Report): string {
  const rt = r.runtimes!;
  const x = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : `${v.toFixed(2)}x`);
  const lines: string[] = [];
  lines.push('| workload | zkts client side | req/s | client CPU us/req | req/s vs Node | CPU/req vs Node | req/s per round |');
  lines.push('|---|---|---:|---:|---:|---:|---|');
  for (const phase of ['getData', 'createDelete'] as const) {
    for (const v of rt.variants) {
      const c = r.cells[phase]?.[`zkts@${v}`];
      if (c === undefined) continue;
      const q = rt.ratios[phase]?.[v];
      lines.push(
        `| ${PHASE_LABEL[phase]} | ${label(`zkts@${v}`, r)} | ${fmtInt(c.opsPerSec)} | ${c.cpuUsPerOp.toFixed(1)} | ${x(q?.opsVsNode)} | ${x(q?.cpuVsNode)} | ${c.rounds
          .map((y) => fmtInt(y.opsPerSec))
          .join(' / ')} |`,
      );
    }
  }
  lines.push('');
  lines.push(
    `| workload | runtime | native req/s / Node-compat req/s (goal >= ${RUNTIME_GOALS.opsVsCompat.toFixed(2)}) | native CPU/req / Node's (goal <= ${RUNTIME_GOALS.cpuVsNode.toFixed(2)}) |`,
  );
  lines.push('|---|---|---:|---:|');
  for (const phase of ['getData', 'createDelete'] as const) {
    for (const v of rt.variants.filter((y): y is 'bun' | 'deno' => y === 'bun' || y === 'deno')) {
      const q = rt.ratios[phase]?.[v];
      const f = (y: number | null | undefined, goal: (z: number) => boolean): string =>
        y === null || y === undefined ? 'n/a' : `${y.toFixed(2)} ${goal(y) ? '(met)' : '(missed)'}`;
      lines.push(
        `| ${PHASE_LABEL[phase]} | ${rt.versions[runtimeOf(v)] ?? v} | ${f(q?.opsVsCompat, (y) => y >= RUNTIME_GOALS.opsVsCompat)} | ${f(q?.cpuVsNode, (y) => y <= RUNTIME_GOALS.cpuVsNode)} |`,
      );
    }
  }
  return lines.join('\n');
}

export function renderReport(r: Report): string {
  if (r.runtimes !== undefined) return renderRuntimeReport(r);
  const lines: string[] = [];
  lines.push('| workload | client | req/s | client CPU us/req | server CPU us/req | req/s per round |');
  lines.push('|---|---|---:|---:|---:|---|');
  for (const phase of ['getData', 'createDelete'] as const) {
    for (const [client, c] of Object.entries(r.cells[phase] ?? {}) as [ClientName, Cell][]) {
      lines.push(
        `| ${PHASE_LABEL[phase]} | ${label(client, r)} | ${fmtInt(c.opsPerSec)} | ${c.cpuUsPerOp.toFixed(1)} | ${
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
    lines.push(`| ${PHASE_LABEL[phase]} | ${f(q?.zktsVsNzcCpu, (v) => v <= 1 / 3)} | ${f(q?.zktsVsJavaOps, (v) => v >= 1)} |`);
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
