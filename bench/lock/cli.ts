/**
 * Command-line options of the lock benchmark (`npm run bench -- --help`) and their defaults. The
 * defaults make a full run (6 implementations × 5 N × 2 hold times + the floor) take about three minutes
 * on a 2-core machine; `--quick` takes well under one. `--faults` is another kind of run: one long cell
 * per implementation while a fault schedule runs against the ensemble (bench/lock/faults).
 */
import { ALL_IMPLS, SHARED_SESSION_IMPLS, TEST_IMPLS } from './runners/registry.js';
import type { Implementation } from './protocol.js';
import { type RuntimeName, parseRuntimes, variantsOf } from '../shared/runtimes.js';

export interface BenchOptions {
  connect: string | undefined;
  ensemble: number;
  /** forceSync of the servers the run starts (ZooKeeper's default, yes: fsync every log flush). */
  forceSync: boolean;
  rttMs: number;
  quick: boolean;
  impls: Implementation[];
  ns: number[];
  holds: number[];
  /** Runner processes per cell; undefined: at least 2 from N = 4, one per 64 sessions beyond. */
  workers: number | undefined;
  /** Repeats of the goal implementations' cells per N; other implementations run each cell once. */
  repeats: Map<number, number>;
  /** Hold times the other implementations run (the goal implementations run every one of `holds`). */
  otherHolds: number[];
  /** The other implementations repeat too (--repeat given); by default they run each cell once. */
  repeatAll: boolean;
  /** Cap of the steady-state warm-up. */
  warmupCapMs: number;
  measureMs: number;
  floorIterations: number;
  outDir: string;
  jsonOnly: boolean;
  /** Also write latest.json/.md/-handoffs.svg/-p99.svg (the files bench/README.md shows). */
  latest: boolean;
  /** --save-as: also write the results under this name (as --latest does under `latest`). */
  saveAs: string | undefined;
  /** --runtime: zkts's Mutex alone, its client side under Node and each of these runtimes (native and Node-compat). */
  runtimes: RuntimeName[] | undefined;
  verbose: boolean;
  sessionTimeoutMs: number;
  readRatio: number;
  /** A fault run (bench/lock/faults): the full schedule, or the short one of the tests. */
  faults: 'full' | 'quick' | undefined;
  /** A shared-session run (bench/lock/shared-session.ts): P processes × M acquirers on one session each. */
  sharedSession?: { processes: number[]; perProcess: number[]; repeats: number } | undefined;
}

/** What a fault run measures unless --impl says otherwise. */
export const FAULT_IMPLS: readonly Implementation[] = ['zkts-mutex', 'curator', 'nzc-recipe', 'kazoo'];
/** Session timeout of the runners in a fault run: short, so an expiry happens within the run. */
export const FAULT_SESSION_TIMEOUT_MS = 4000;
/** Options that shape the usual cells and mean nothing to a fault run's one fixed cell. */
const NOT_WITH_FAULTS = ['quick', 'n', 'hold', 'workers', 'repeat', 'warmup-cap', 'measure', 'floor', 'latest'];

export const USAGE = `Lock benchmark: zkts's locks against Curator, kazoo and node-zookeeper-client.

  npm run bench -- [options]        (= npx tsx bench/lock/main.ts [options])

  --connect host:port,...  use an existing ensemble (works under a fresh /zkts-bench/run-... node,
                           removed afterwards); default: start a local server through the harness
  --ensemble <k>           start k servers instead of a standalone one (e.g. --ensemble 3)
  --rtt <ms>               add this round-trip time through a proxy per server (e.g. --rtt 2ms)
  --force-sync yes|no      forceSync of the servers the run starts (default yes, ZooKeeper's default;
                           no: the log is written but not fsync'd, to see what fsync costs)
  --quick                  N 1,4,16, hold 0, one repeat, 0.8 s measure, 300 floor iterations
  --impl a,b               implementations (default all): ${ALL_IMPLS.join(', ')}
                           (also: ${TEST_IMPLS.join(', ')}, which the tests use to show the check fails)
  --n 1,2,16               contending sessions per cell (default 1,2,16,64; e.g. 4 or 256 for more)
  --hold 0,1               hold times in ms (default 0,1 for the goal implementations zkts-mutex,
                           curator, nzc-recipe, 0 for the others; given, every implementation runs all)
  --workers <k>            spread each cell's sessions over k runner processes (default: 2 from N = 4,
                           one per 64 sessions beyond)
  --repeat <k>             run every cell k times, implementations rotated (default: 3 for the goal
                           implementations at N = 2, 16, 64, 1 for everything else; --quick: 1)
  --warmup-cap <s>         longest warm-up; each cell warms up until its rate is steady (default 8)
  --measure <s>            measure window per cell (default 1)
  --floor <iterations>     iterations of each floor measurement (default 800)
  --out <dir>              where results go (default bench/results)
  --json-only              print only the result JSON on stdout and write only the .json file
  --latest                 also write the results as latest.{json,md} and latest-{handoffs,p99}.svg
  --save-as <name>         also write them as <name>.{json,md} and <name>-{handoffs,p99}.svg
  --runtime node,bun,deno  instead of the implementations above, zkts's Mutex with its client side under
                           each runtime: Node, and each other runtime's native transport (Bun.connect,
                           Deno.connect) and its Node-compat path (node:net), in the same run (default
                           N 1,16,64, hold 0, 5 repeats each, rotated), with ratios against Node
  --verbose                show runners' stray output
  --faults                 instead of the cells above, one long cell per implementation (default
                           ${FAULT_IMPLS.join(', ')}; N = 8 over 2 processes, hold 1 ms,
                           session timeout ${FAULT_SESSION_TIMEOUT_MS / 1000} s) while faults hit the ensemble: leader kill -9,
                           follower paused, follower isolated, one process cut off until its sessions
                           expire; handoffs/s before, during and after each, gaps, errors, orphan
                           nodes, violations. Needs --ensemble 3 (about a minute per implementation)
  --faults-quick           --faults with 2 s phases and two faults (leader kill, cut-off), for the tests
  --shared-session         instead of the cells above, M acquirers sharing ONE session in each of P
                           runner processes (default ${SHARED_SESSION_IMPLS.join(', ')};
                           P 1,2,4, M 16,64, hold 0, one repeat); --latest writes shared-session.json|md
  --processes 1,2,4        P of --shared-session
  --per-process 16,64      M of --shared-session
  --help                   this text

Exit code 1 on any mutual-exclusion violation, or when every implementation failed.`;

function list(value: string, what: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new Error(`${what}: empty list`);
  return items;
}

function numbers(value: string, what: string, min: number): number[] {
  return list(value, what).map((s) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n < min) throw new Error(`${what}: bad value ${JSON.stringify(s)}`);
    return n;
  });
}

function seconds(value: string, what: string): number {
  const n = Number(value.replace(/s$/, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what}: bad duration ${JSON.stringify(value)}`);
  return Math.round(n * 1000);
}

/** Parses argv (without node and the script); throws with a message on bad input; null for --help. */
export function parseArgs(argv: readonly string[]): BenchOptions | null {
  const given = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (['quick', 'json-only', 'latest', 'verbose', 'help', 'faults', 'faults-quick', 'shared-session'].includes(name)) {
      given.set(name, true);
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new Error(`--${name} needs a value`);
    given.set(name, value);
  }
  if (given.has('help')) return null;
  const known = [
    ...['save-as', 'runtime'],
    ...['connect', 'ensemble', 'force-sync', 'rtt', 'quick', 'impl', 'n', 'hold', 'workers', 'repeat', 'warmup-cap', 'measure', 'floor'],
    ...['out', 'json-only', 'latest', 'verbose', 'faults', 'faults-quick', 'shared-session', 'processes', 'per-process'],
  ];
  for (const k of given.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k}`);
  const str = (k: string): string | undefined => {
    const v = given.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const quick = given.has('quick');
  const faults = given.has('faults-quick') ? 'quick' : given.has('faults') ? 'full' : undefined;
  if (faults !== undefined) {
    const flag = faults === 'quick' ? '--faults-quick' : '--faults';
    if (given.has('connect'))
      throw new Error(`${flag} kills, pauses and isolates servers, so it needs servers this run starts: use --ensemble 3, not --connect`);
    if (Number(str('ensemble')) !== 3)
      throw new Error(`${flag} needs a run-started ensemble of 3 (--ensemble 3): it kills the leader and isolates a follower`);
    const clash = NOT_WITH_FAULTS.find((k) => given.has(k));
    if (clash !== undefined)
      throw new Error(`${flag} runs one fixed cell per implementation (N = 8, hold 1 ms, 2 processes): --${clash} does not apply`);
  }

  const shared = given.has('shared-session');
  if (!shared && (given.has('processes') || given.has('per-process')))
    throw new Error('--processes and --per-process go with --shared-session');
  if (shared && faults !== undefined) throw new Error('--shared-session and --faults are different runs: choose one');
  if (shared && given.has('n')) throw new Error('--shared-session sets N as P x M: use --processes and --per-process, not --n');
  // --runtime: the implementations are zkts-mutex@<variant> (set at the end); the other options as usual.
  const runtimes = str('runtime') === undefined ? undefined : parseRuntimes(str('runtime')!);
  if (runtimes !== undefined && (faults !== undefined || given.has('impl'))) {
    throw new Error('--runtime measures zkts-mutex on each runtime: not with --impl or --faults');
  }
  const saveAs = str('save-as');
  if (saveAs !== undefined && !/^[\w.-]+$/.test(saveAs)) throw new Error('--save-as: a file name without a folder');

  if (runtimes !== undefined && shared) throw new Error('--runtime and --shared-session are different runs: choose one');
  const impls =
    str('impl') === undefined
      ? [...(faults !== undefined ? FAULT_IMPLS : shared ? SHARED_SESSION_IMPLS : ALL_IMPLS)]
      : list(str('impl')!, '--impl');
  for (const impl of impls) {
    if (![...ALL_IMPLS, ...TEST_IMPLS, ...SHARED_SESSION_IMPLS].includes(impl as Implementation)) {
      throw new Error(`--impl: unknown implementation ${impl} (known: ${ALL_IMPLS.join(', ')})`);
    }
  }
  const ns =
    str('n') === undefined ? (runtimes !== undefined ? RUNTIME_NS : quick ? [1, 4, 16] : [1, 2, 16, 64]) : numbers(str('n')!, '--n', 1);
  if (ns.some((n) => !Number.isInteger(n))) throw new Error('--n: whole numbers of sessions');
  const holds = str('hold') === undefined ? (quick || shared ? [0] : [0, 1]) : numbers(str('hold')!, '--hold', 0);
  const rtt = str('rtt') === undefined ? 0 : Number(str('rtt')!.replace(/ms$/, ''));
  if (!Number.isFinite(rtt) || rtt < 0) throw new Error(`--rtt: bad value ${JSON.stringify(str('rtt'))}`);
  const ensemble = str('ensemble') === undefined ? 1 : Number(str('ensemble'));
  if (!Number.isInteger(ensemble) || ensemble < 1 || ensemble > 9) throw new Error('--ensemble: 1 to 9 servers');
  if (str('connect') !== undefined && str('ensemble') !== undefined) throw new Error('--connect and --ensemble exclude each other');
  const forceSync = str('force-sync') ?? 'yes';
  if (forceSync !== 'yes' && forceSync !== 'no') throw new Error('--force-sync: yes or no');
  if (str('connect') !== undefined && str('force-sync') !== undefined)
    throw new Error('--force-sync applies to servers the run starts, not to --connect');
  const workers = str('workers') === undefined ? undefined : Number(str('workers'));
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) throw new Error('--workers: a positive whole number');
  const repeatGiven = str('repeat') === undefined ? undefined : Number(str('repeat'));
  if (repeatGiven !== undefined && (!Number.isInteger(repeatGiven) || repeatGiven < 1 || repeatGiven > 20))
    throw new Error('--repeat: 1 to 20');
  const repeats = new Map<number, number>();
  for (const n of ns) repeats.set(n, repeatGiven ?? (quick ? 1 : runtimes !== undefined ? RUNTIME_REPEATS : GOAL_NS.includes(n) ? 3 : 1));
  // The default run spends its time on the cells the goals are about; --hold or --repeat widen it.
  const otherHolds = str('hold') === undefined && repeatGiven === undefined ? [Math.min(...holds)] : holds;
  const floor = str('floor') === undefined ? (quick ? 300 : 800) : Number(str('floor'));
  if (!Number.isInteger(floor) || floor < 10) throw new Error('--floor: at least 10 iterations');

  return {
    connect: str('connect'),
    ensemble,
    forceSync: forceSync === 'yes',
    rttMs: rtt,
    quick,
    impls: runtimes !== undefined ? variantsOf(runtimes).map((v) => `zkts-mutex@${v}` as const) : ([...new Set(impls)] as Implementation[]),
    ns: [...new Set(ns)].sort((a, b) => a - b),
    holds: runtimes !== undefined && str('hold') === undefined ? [0] : [...new Set(holds)].sort((a, b) => a - b),
    workers,
    repeats,
    otherHolds: [...new Set(otherHolds)].sort((a, b) => a - b),
    // Every runtime variant repeats as the goal implementations do: the ratios between them are the point.
    repeatAll: repeatGiven !== undefined || runtimes !== undefined,
    warmupCapMs: str('warmup-cap') === undefined ? 8000 : seconds(str('warmup-cap')!, '--warmup-cap'),
    measureMs: str('measure') === undefined ? (quick ? 800 : 1000) : seconds(str('measure')!, '--measure'),
    floorIterations: floor,
    outDir: str('out') ?? 'bench/results',
    jsonOnly: given.has('json-only'),
    latest: given.has('latest'),
    saveAs,
    runtimes,
    verbose: given.has('verbose'),
    sessionTimeoutMs: faults !== undefined ? FAULT_SESSION_TIMEOUT_MS : 10_000,
    readRatio: 0.9,
    faults,
    sharedSession: shared
      ? {
          processes: str('processes') === undefined ? [1, 2, 4] : numbers(str('processes')!, '--processes', 1).map(Math.round),
          perProcess: str('per-process') === undefined ? [16, 64] : numbers(str('per-process')!, '--per-process', 1).map(Math.round),
          repeats: repeatGiven ?? 1,
        }
      : undefined,
  };
}

/** The N of a --runtime run unless --n says otherwise, and its repeats unless --repeat does (its cells are short and its ratios the point). */
export const RUNTIME_NS: readonly number[] = [1, 16, 64];
export const RUNTIME_REPEATS = 5;

/** The N whose cells the goals are about: repeated by default. */
export const GOAL_NS: readonly number[] = [2, 16, 64];
/** The implementations the goals compare: repeated by default; the others run each cell once. */
export const GOAL_IMPLS: readonly Implementation[] = ['zkts-mutex', 'curator', 'nzc-recipe'];

/**
 * Runner processes for a cell of n sessions: the --workers value (at most n); else 2 from N = 4, so the
 * mutual-exclusion check always crosses processes, and one per 64 sessions beyond 128.
 */
export function workersFor(n: number, workers: number | undefined): number {
  return Math.max(1, Math.min(n, workers ?? (n >= 4 ? Math.max(2, Math.ceil(n / 64)) : 1)));
}
