/**
 * The runner side of protocol.ts for the Node runners (zkts, node-zookeeper-client): open the sessions,
 * READY, wait for START, run every contender's loop through warm-up and the measure window, print
 * MEASURE / PROGRESS / DONE / RESULT, close and exit. An implementation supplies only how to open a
 * session and how one contender acquires and releases.
 */
import { createInterface } from 'node:readline';
import type { Hold, RunnerConfig, RunnerResult } from './protocol.js';

/** A held lock as the loop sees it. */
export interface Held {
  /** Fencing token as a decimal string (see protocol.ts Hold). */
  token: string;
  kind: 'w' | 'r';
  release(): Promise<void>;
}

/** One session's contender. */
export interface Contender {
  acquire(): Promise<Held>;
  close(): Promise<void>;
}

export interface Implementation {
  /** Opens session `index` (0-based within this process) and its contender. */
  open(config: RunnerConfig, index: number): Promise<Contender>;
  notes?: Record<string, string>;
}

/** Sessions opened at once: a connect storm of 64 handshakes only slows every one of them down. */
const OPEN_CONCURRENCY = 16;
/** Consecutive failed acquisitions after which a contender gives up (a dead session, not a hiccup). */
const MAX_CONSECUTIVE_ERRORS = 50;
/** Bound on waiting for START: the orchestrator died or forgot us. */
const START_TIMEOUT_MS = 300_000;
/** Bound on waiting for CLOSE after RESULT (protocol.ts): the sessions close anyway after it. */
const CLOSE_TIMEOUT_MS = 5000;

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Wall-clock epoch microseconds from the monotonic clock (protocol.ts: comparable across processes). */
function epochUs(nowMs: number): number {
  return Math.round((performance.timeOrigin + nowMs) * 1000);
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function parseConfig(): RunnerConfig {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('usage: <runner> <RunnerConfig as JSON>');
  return JSON.parse(raw) as RunnerConfig;
}

/** Lines from the orchestrator on stdin: START, later CLOSE; stdin's end counts as CLOSE. */
class Stdin {
  private readonly seen = new Set<string>();
  private ended = false;
  private waiters: (() => void)[] = [];

  constructor() {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      this.seen.add(line.trim());
      this.wake();
    });
    rl.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves true on `line`, false when stdin ends first or after `ms`. */
  async waitFor(line: string, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (!this.seen.has(line)) {
      if (this.ended) return false;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }
}

async function openAll(impl: Implementation, config: RunnerConfig): Promise<Contender[]> {
  const contenders: Contender[] = new Array<Contender>(config.sessions);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < config.sessions) {
      const i = next++;
      contenders[i] = await impl.open(config, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, config.sessions) }, worker));
  return contenders;
}

/** Runs the whole protocol for `impl`; never returns (the process exits). */
export async function runRunner(impl: Implementation): Promise<never> {
  let contenders: Contender[] = [];
  try {
    const config = parseConfig();
    const stdin = new Stdin();
    contenders = await openAll(impl, config);
    out('READY');
    if (!(await stdin.waitFor('START', START_TIMEOUT_MS))) throw new Error('no START (stdin closed or the bound passed)');

    const start = performance.now();
    const measureStart = start + config.warmupMs;
    const measureEnd = measureStart + config.measureMs;
    const latenciesUs: number[] = [];
    const holds: Hold[] = [];
    let errors = 0;
    let cpuAtMeasure = 0;
    let progress: ReturnType<typeof setInterval> | undefined;
    const measureTimer = setTimeout(() => {
      cpuAtMeasure = cpuUs();
      out('MEASURE');
      progress = setInterval(() => out(`PROGRESS ${latenciesUs.length}`), 250);
    }, config.warmupMs);

    const loop = async (c: Contender): Promise<void> => {
      let consecutive = 0;
      while (performance.now() < measureEnd) {
        const t0 = performance.now();
        let held: Held;
        try {
          held = await c.acquire();
        } catch (err) {
          errors++;
          if (++consecutive >= MAX_CONSECUTIVE_ERRORS) throw err;
          await sleep(10);
          continue;
        }
        consecutive = 0;
        const tA = performance.now();
        const holdStart = epochUs(tA);
        if (config.holdMs > 0) await sleep(config.holdMs);
        const holdEnd = epochUs(performance.now());
        try {
          await held.release();
        } catch {
          errors++;
        }
        if (t0 >= measureStart && t0 < measureEnd) {
          latenciesUs.push(Math.round((tA - t0) * 1000));
          holds.push([held.token, held.kind, holdStart, holdEnd]);
        }
      }
    };
    await Promise.all(contenders.map(loop));
    clearTimeout(measureTimer);
    if (progress !== undefined) clearInterval(progress);
    const cpu = cpuUs() - cpuAtMeasure;
    const measuredMs = Math.max(0, Math.min(performance.now(), measureEnd) - measureStart);
    out('DONE');
    const result: RunnerResult = {
      impl: config.impl,
      acquisitions: latenciesUs.length,
      latenciesUs,
      holds,
      cpuUs: cpu,
      measuredMs: Math.round(measuredMs),
      errors,
      notes: { node: process.version, ...impl.notes },
    };
    out(`RESULT ${JSON.stringify(result)}`);
    // The orchestrator reads mntr after DONE: closing now would count our closeSession requests.
    await stdin.waitFor('CLOSE', CLOSE_TIMEOUT_MS);
    await closeAll(contenders);
    process.exit(0);
  } catch (err) {
    out(`ERROR ${err instanceof Error ? err.message : String(err)}`.replace(/\n/g, ' '));
    await closeAll(contenders);
    process.exit(1);
  }
}

/** Closes every session, bounded so a stuck close cannot keep the process alive. */
async function closeAll(contenders: readonly Contender[]): Promise<void> {
  await Promise.race([Promise.allSettled(contenders.filter(Boolean).map((c) => c.close())), sleep(5000)]);
}
