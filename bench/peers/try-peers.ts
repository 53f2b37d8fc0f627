/**
 * Manual check of the peer runners: starts a harness server, runs Curator and kazoo once each through
 * the runner protocol (bench/lock/protocol.ts) for a tiny cell, validates each RESULT and prints one
 * summary line per peer. Exit code 0 when every available peer passes; a peer that is not installed is
 * reported and counts as a failure unless --allow-missing is given.
 *
 *   npx tsx bench/peers/try-peers.ts [--connect host:port] [--sessions 4] [--measure-ms 1000] [--verbose]
 *                                    [--only curator|kazoo] [--allow-missing]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { AdminClient, type ZkServer, startStandalone } from '../../test/support/zookeeper/index.js';
import type { Hold, RunnerConfig, RunnerResult } from '../lock/protocol.js';
import { type PeerRunner, prepareCurator, prepareKazoo } from './launch.js';

interface Args {
  connect: string | undefined;
  sessions: number;
  measureMs: number;
  verbose: boolean;
  only: string | undefined;
  allowMissing: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { connect: undefined, sessions: 4, measureMs: 1000, verbose: false, only: undefined, allowMissing: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    if (k === '--connect') a.connect = next();
    else if (k === '--sessions') a.sessions = Number(next());
    else if (k === '--measure-ms') a.measureMs = Number(next());
    else if (k === '--only') a.only = next();
    else if (k === '--verbose') a.verbose = true;
    else if (k === '--allow-missing') a.allowMissing = true;
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

/** Upper bounds on each protocol phase of a run (the runners bound themselves too). */
const READY_TIMEOUT_MS = 90_000;
const AFTER_WINDOW_TIMEOUT_MS = 90_000;

interface RunOutcome {
  result: RunnerResult;
  progressLines: number;
  /** ms from START to the MEASURE line, as seen here. */
  warmupSeenMs: number;
}

/** Runs one runner process through the protocol and returns its RESULT; kills it (by PID) on failure. */
function runPeer(runner: PeerRunner, config: RunnerConfig, verbose: boolean): Promise<RunOutcome> {
  const [program, ...args] = runner.command(config);
  return new Promise<RunOutcome>((resolve, reject) => {
    const child: ChildProcess = spawn(program!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    let state: 'starting' | 'ready' | 'warmup' | 'measure' | 'done' | 'result' = 'starting';
    let result: RunnerResult | undefined;
    let progressLines = 0;
    let startAt = 0;
    let warmupSeenMs = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill('SIGKILL');
      const tail = stderr.join('').trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${runner.impl}: ${message}${tail ? `\n--- stderr tail ---\n${tail}` : ''}`));
    };
    const arm = (ms: number, what: string): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => fail(`timed out ${what}`), ms);
    };
    arm(READY_TIMEOUT_MS, 'waiting for READY');

    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      stderr.push(d);
      if (stderr.length > 200) stderr.splice(0, stderr.length - 200);
      if (verbose) process.stderr.write(`[${runner.impl} stderr] ${d}`);
    });
    child.on('error', (err) => fail(`spawn failed: ${err.message}`));
    child.stdin!.on('error', () => {}); // EPIPE if the runner dies first; reported through exit

    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (settled) return;
      if (line.startsWith('ERROR')) return fail(`runner reported ${line}`);
      if (line === 'READY') {
        if (state !== 'starting') return fail(`READY in state ${state}`);
        state = 'ready';
        startAt = performance.now();
        arm(config.warmupMs + config.measureMs + AFTER_WINDOW_TIMEOUT_MS, 'waiting for DONE');
        child.stdin!.write('START\n');
        return;
      }
      if (line === 'MEASURE') {
        if (state !== 'ready') return fail(`MEASURE in state ${state}`);
        state = 'measure';
        warmupSeenMs = performance.now() - startAt;
        return;
      }
      if (line.startsWith('PROGRESS ')) {
        if (state !== 'measure') return fail(`PROGRESS in state ${state}`);
        if (!/^PROGRESS \d+$/.test(line)) return fail(`malformed ${line}`);
        progressLines++;
        if (verbose) console.error(`[${runner.impl}] ${line}`);
        return;
      }
      if (line === 'DONE') {
        if (state !== 'measure') return fail(`DONE in state ${state}`);
        state = 'done';
        return;
      }
      if (line.startsWith('RESULT ')) {
        if (state !== 'done') return fail(`RESULT in state ${state}`);
        try {
          result = JSON.parse(line.slice('RESULT '.length)) as RunnerResult;
        } catch (err) {
          return fail(`unparsable RESULT: ${(err as Error).message}`);
        }
        state = 'result';
        arm(30_000, 'waiting for exit after RESULT');
        return;
      }
      if (verbose) console.error(`[${runner.impl} stdout] ${line}`);
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      if (code !== 0) return fail(`exited with ${code ?? signal} in state ${state}`);
      if (result === undefined) return fail('exited 0 without RESULT');
      settled = true;
      if (timer) clearTimeout(timer);
      resolve({ result, progressLines, warmupSeenMs });
    });
  });
}

/** Checks a RESULT against RunnerResult; returns a list of problems (empty: valid). */
function validateResult(r: RunnerResult, config: RunnerConfig): string[] {
  const problems: string[] = [];
  const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (r.impl !== config.impl) problems.push(`impl ${JSON.stringify(r.impl)} != ${config.impl}`);
  if (!isInt(r.acquisitions) || r.acquisitions <= 0) problems.push(`acquisitions ${r.acquisitions} (want > 0)`);
  if (!Array.isArray(r.latenciesUs) || !r.latenciesUs.every(isInt)) problems.push('latenciesUs is not an array of integers >= 0');
  else if (r.latenciesUs.length !== r.acquisitions) problems.push(`${r.latenciesUs.length} latencies for ${r.acquisitions} acquisitions`);
  if (!Array.isArray(r.holds)) problems.push('holds is not an array');
  else {
    if (r.holds.length !== r.acquisitions) problems.push(`${r.holds.length} holds for ${r.acquisitions} acquisitions`);
    const bad = r.holds.find(
      (h) => !Array.isArray(h) || h.length !== 4 || typeof h[0] !== 'string' || !/^[1-9]\d*$/.test(h[0]) || h[1] !== 'w' || !isInt(h[2]) || !isInt(h[3]),
    );
    if (bad !== undefined) problems.push(`malformed hold ${JSON.stringify(bad)}`);
    else problems.push(...overlaps(r.holds));
  }
  if (!isInt(r.cpuUs) || r.cpuUs <= 0) problems.push(`cpuUs ${r.cpuUs} (want an integer > 0)`);
  if (typeof r.measuredMs !== 'number' || r.measuredMs < config.measureMs * 0.9) problems.push(`measuredMs ${r.measuredMs} (window ${config.measureMs})`);
  if (!isInt(r.errors)) problems.push(`errors ${r.errors}`);
  if (r.notes !== undefined && (typeof r.notes !== 'object' || !Object.values(r.notes).every((v) => typeof v === 'string'))) {
    problems.push('notes is not a string map');
  }
  return problems;
}

/** Sorted by token: tokens distinct, and each hold starts no earlier than every earlier-token hold ended. */
function overlaps(holds: readonly Hold[]): string[] {
  const sorted = holds.map((h) => ({ token: BigInt(h[0]), start: h[2], end: h[3] })).sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  const problems: string[] = [];
  let latest: (typeof sorted)[number] | undefined;
  for (const h of sorted) {
    if (h.end < h.start) problems.push(`token ${h.token} ends before it starts`);
    if (latest !== undefined) {
      if (latest.token === h.token) problems.push(`token ${h.token} appears twice`);
      else if (h.start < latest.end) problems.push(`token ${h.token} [${h.start}, ${h.end}] starts before token ${latest.token} [${latest.start}, ${latest.end}] ended`);
    }
    if (latest === undefined || h.end > latest.end) latest = h;
    if (problems.length >= 5) break;
  }
  return problems;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function summary(runner: PeerRunner, out: RunOutcome, config: RunnerConfig): string {
  const r = out.result;
  const lat = [...r.latenciesUs].sort((a, b) => a - b);
  const ms = (us: number): string => (us / 1000).toFixed(2);
  const notes = r.notes ?? {};
  return (
    `${runner.impl}: PASS ${r.acquisitions} acquisitions in ${r.measuredMs.toFixed(0)} ms ` +
    `(${((r.acquisitions * 1000) / r.measuredMs).toFixed(0)}/s, N=${config.sessions}, hold ${config.holdMs} ms), ` +
    `latency p50 ${ms(percentile(lat, 0.5))} / p99 ${ms(percentile(lat, 0.99))} / max ${ms(lat[lat.length - 1]!)} ms, ` +
    `CPU ${(r.cpuUs / r.acquisitions).toFixed(0)} µs/acq, errors ${r.errors}, ${out.progressLines} PROGRESS lines, ` +
    `holds ordered by token with no overlap; token: extra reads/acq ${notes['extraReadsPerAcquisition'] ?? '?'}, ` +
    `fallback reads ${notes['tokenFallbackReads'] ?? '?'}; ${notes['library'] ?? runner.description}`
  );
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const wanted = (impl: string): boolean => args.only === undefined || args.only.split(',').includes(impl);
  let server: ZkServer | undefined;
  let admin: AdminClient | undefined;
  const runners: PeerRunner[] = [];
  let failures = 0;
  const cleanup: string[] = []; // nodes to delete, children first
  try {
    for (const [impl, prepare] of [['curator', prepareCurator], ['kazoo', prepareKazoo]] as const) {
      if (!wanted(impl)) continue;
      const r = prepare();
      if (typeof r === 'string') {
        console.log(`${impl}: MISSING ${r}`);
        if (!args.allowMissing) failures++;
      } else runners.push(r);
    }
    if (runners.length === 0) return failures > 0 ? 1 : 0;

    let connect = args.connect;
    if (connect === undefined) {
      server = await startStandalone();
      connect = server.connectString;
    }
    admin = await AdminClient.connect(connect);
    const base = `/zkts-try-peers-${process.pid}-${Date.now()}`;
    cleanup.push(base);

    for (const runner of runners) {
      const config: RunnerConfig = {
        impl: runner.impl,
        connect,
        lockPath: `${base}/${runner.impl}`,
        sessions: args.sessions,
        holdMs: 0,
        warmupMs: 300,
        measureMs: args.measureMs,
        sessionTimeoutMs: 10_000,
      };
      await admin.mkdirp(config.lockPath);
      cleanup.unshift(config.lockPath);
      try {
        const out = await runPeer(runner, config, args.verbose);
        const problems = validateResult(out.result, config);
        if (problems.length > 0) {
          failures++;
          console.log(`${runner.impl}: FAIL ${problems.join('; ')}`);
        } else {
          console.log(summary(runner, out, config));
          if (args.verbose) console.error(`[${runner.impl}] notes ${JSON.stringify(out.result.notes)}`);
        }
      } catch (err) {
        failures++;
        console.log(`${runner.impl}: FAIL ${(err as Error).message}`);
      }
    }
  } finally {
    for (const r of runners) r.dispose();
    for (const path of cleanup) await admin?.delete(path).catch(() => {}); // best effort (--connect)
    await admin?.close().catch(() => {});
    await server?.destroy();
  }
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
