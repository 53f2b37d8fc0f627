/**
 * The runner side of protocol.ts (version 2) for the Node runners (zkts, node-zookeeper-client): a
 * process that serves one cell after another. Per cell it opens the sessions and their fenced-store
 * connections, runs every contender's loop through warm-up, a pause (QUIESCE) and the measure window
 * (GO), reports, and closes on CLOSE. An implementation supplies only how to open a session and how one
 * contender acquires and releases.
 *
 * A contender whose session has ended for good (expired, or closed under it) is replaced, as an
 * application would do it: its failed acquisition counts as an error, then a new session and contender
 * take its place and the loop goes on (counted in notes.sessionsReplaced). Without that, every later
 * acquisition on the dead session fails and the cell fails after MAX_CONSECUTIVE_ERRORS.
 */
import { createInterface } from 'node:readline';
import type { Hold, RunnerConfig, RunnerResult } from './protocol.js';
import { StoreClient } from './store-client.js';

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
  /** True once the session has ended for good (expired, closed): the loop then opens a new one. */
  ended?(): boolean;
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
/**
 * Bound on waiting for the next command (the orchestrator died or forgot us): long, because a process
 * waits in its pool while the other implementations run their cells.
 */
const COMMAND_TIMEOUT_MS = 3_600_000;
const PROGRESS_EVERY_MS = 100;

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

/** Lines from the orchestrator, one at a time; undefined at stdin's end or after the bound. */
class Commands {
  private readonly lines: string[] = [];
  private ended = false;
  private waiter: (() => void) | undefined;

  constructor() {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      this.lines.push(line.trim());
      this.waiter?.();
    });
    rl.on('close', () => {
      this.ended = true;
      this.waiter?.();
    });
  }

  async next(): Promise<string | undefined> {
    const deadline = performance.now() + COMMAND_TIMEOUT_MS;
    while (this.lines.length === 0) {
      if (this.ended || performance.now() >= deadline) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - performance.now());
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        };
      });
    }
    return this.lines.shift();
  }
}

type Phase = 'warmup' | 'paused' | 'measure' | 'closing';

/** One cell: its contenders, their store connections, and the phase every loop follows. */
class Cell {
  private phase: Phase = 'paused';
  private busy = 0;
  private phaseWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private completed = 0;
  private measureStart = 0;
  private measureEnd = 0;
  private lastStop = 0;
  private cpuAtGo = 0;
  private readonly latenciesUs: number[] = [];
  private readonly holds: Hold[] = [];
  private errors = 0;
  private staleWrites = 0;
  private sessionsReplaced = 0;
  private reopenFailures = 0;
  private loops: Promise<void>[] = [];
  private failure: Error | undefined;
  private progress: ReturnType<typeof setInterval> | undefined;

  private readonly impl: Implementation;
  private readonly config: RunnerConfig;
  /** The current contender of each session index (replaced when its session ends). */
  private readonly contenders: Contender[];
  private readonly stores: readonly StoreClient[];

  constructor(impl: Implementation, config: RunnerConfig, contenders: Contender[], stores: readonly StoreClient[]) {
    this.impl = impl;
    this.config = config;
    this.contenders = contenders;
    this.stores = stores;
  }

  static async open(impl: Implementation, config: RunnerConfig): Promise<Cell> {
    const contenders: Contender[] = new Array<Contender>(config.sessions);
    const stores: StoreClient[] = new Array<StoreClient>(config.sessions);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < config.sessions) {
        const i = next++;
        contenders[i] = await impl.open(config, i);
        stores[i] = await StoreClient.connect(config.store);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, config.sessions) }, worker));
    } catch (err) {
      await closeAll(contenders, stores);
      throw err;
    }
    return new Cell(impl, config, contenders, stores);
  }

  /** START: every loop begins, in warm-up. */
  start(): void {
    this.setPhase('warmup');
    this.completed = 0;
    this.startProgress();
    this.loops = this.contenders.map((_, i) => this.loop(i, this.stores[i]!, `${this.config.worker ?? 0}-${i}`));
    for (const l of this.loops) l.catch(() => undefined);
  }

  /** QUIESCE: resolves once every loop is idle. */
  async pause(): Promise<void> {
    this.setPhase('paused');
    await this.idle();
  }

  /** GO: the measure window; resolves once every loop stopped after it. */
  async measure(): Promise<RunnerResult> {
    this.cpuAtGo = cpuUs();
    this.completed = 0;
    this.measureStart = performance.now();
    this.measureEnd = this.measureStart + this.config.measureMs;
    this.lastStop = this.measureStart;
    this.setPhase('measure');
    await this.idle();
    const cpu = cpuUs() - this.cpuAtGo;
    this.stopProgress();
    return {
      impl: this.config.impl,
      acquisitions: this.latenciesUs.length,
      latenciesUs: this.latenciesUs,
      holds: this.holds,
      cpuUs: cpu,
      measuredMs: Math.round(this.lastStop - this.measureStart),
      errors: this.errors,
      staleWrites: this.staleWrites,
      notes: { sessionsReplaced: String(this.sessionsReplaced), sessionReopenFailures: String(this.reopenFailures) },
    };
  }

  /** CLOSE: ends the loops and closes the sessions and store connections (bounded). */
  async close(): Promise<void> {
    this.stopProgress();
    this.setPhase('closing');
    await Promise.race([Promise.allSettled(this.loops), sleep(5000)]);
    await closeAll(this.contenders, this.stores);
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  /** Wakes every idle loop; they count as busy from here, so a wait for idleness right after sees them. */
  private setPhase(phase: Phase): void {
    this.phase = phase;
    const w = this.phaseWaiters;
    this.phaseWaiters = [];
    this.busy += w.length;
    for (const f of w) f();
  }

  private idle(): Promise<void> {
    if (this.busy === 0 || this.failure !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Whether a loop may start an acquisition now (false: it goes idle until the phase changes). */
  private mayStart(now: number): boolean {
    return this.phase === 'warmup' || (this.phase === 'measure' && now < this.measureEnd);
  }

  private async loop(index: number, store: StoreClient, holder: string): Promise<void> {
    let c = this.contenders[index]!;
    let consecutive = 0;
    this.busy++;
    try {
      for (;;) {
        while (!this.mayStart(performance.now())) {
          if (this.phase === 'closing') {
            this.goIdle();
            return;
          }
          if (this.phase === 'measure' && performance.now() > this.lastStop) this.lastStop = performance.now();
          this.goIdle();
          await new Promise<void>((resolve) => this.phaseWaiters.push(resolve));
        }
        const measuring = this.phase === 'measure';
        const t0 = performance.now();
        let held: Held;
        try {
          held = await c.acquire();
        } catch (err) {
          this.errors++;
          if (c.ended?.() === true) {
            // Closing: the top of the loop leaves.
            c = (await this.replace(index)) ?? c;
            consecutive = 0;
            continue;
          }
          if (++consecutive >= MAX_CONSECUTIVE_ERRORS) throw err;
          await sleep(10);
          continue;
        }
        consecutive = 0;
        const tA = performance.now();
        const holdStart = epochUs(tA);
        if (!(await store.enter(this.config.lockPath, held.token, held.kind, holder))) this.staleWrites++;
        if (this.config.holdMs > 0) await sleep(this.config.holdMs);
        await store.exit(this.config.lockPath, held.token, holder);
        const holdEnd = epochUs(performance.now());
        try {
          await held.release();
        } catch {
          this.errors++;
        }
        this.completed++;
        if (measuring && t0 < this.measureEnd) {
          this.latenciesUs.push(Math.round((tA - t0) * 1000));
          this.holds.push([held.token, held.kind, holdStart, holdEnd]);
        }
      }
    } catch (err) {
      this.failure ??= err instanceof Error ? err : new Error(String(err));
      this.goIdle();
      throw err;
    }
  }

  /**
   * Opens a new session and contender for session `index` in place of the ended one, retrying until one
   * opens (the servers may still be out of reach); undefined when the cell closes meanwhile.
   */
  private async replace(index: number): Promise<Contender | undefined> {
    await Promise.race([this.contenders[index]!.close().catch(() => undefined), sleep(5000)]);
    for (let attempt = 1; ; attempt++) {
      if (this.closing) return undefined;
      try {
        const fresh = await this.impl.open(this.config, index);
        if (this.closing) {
          // CLOSE ran while it opened: closeAll has not seen it.
          await fresh.close().catch(() => undefined);
          return undefined;
        }
        this.contenders[index] = fresh;
        this.sessionsReplaced++;
        return fresh;
      } catch (err) {
        this.reopenFailures++;
        if (attempt >= MAX_CONSECUTIVE_ERRORS) throw err;
        await sleep(100);
      }
    }
  }

  /** A getter, not a field test: CLOSE can come while a replacement awaits. */
  private get closing(): boolean {
    return this.phase === 'closing';
  }

  private goIdle(): void {
    this.busy--;
    if (this.busy > 0 && this.failure === undefined) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  private startProgress(): void {
    this.stopProgress();
    this.progress = setInterval(() => out(`PROGRESS ${this.completed}`), PROGRESS_EVERY_MS);
  }

  private stopProgress(): void {
    if (this.progress !== undefined) clearInterval(this.progress);
    this.progress = undefined;
  }
}

/** Runs the protocol for `impl` until EXIT or stdin's end; never returns (the process exits). */
export async function runRunner(impl: Implementation): Promise<never> {
  const commands = new Commands();
  let cell: Cell | undefined;
  try {
    for (;;) {
      const line = await commands.next();
      if (line === undefined || line === 'EXIT') break;
      if (line.startsWith('CELL ')) {
        if (cell !== undefined) await cell.close();
        cell = await Cell.open(impl, JSON.parse(line.slice(5)) as RunnerConfig);
        out('READY');
      } else if (line === 'START') {
        need(cell).start();
      } else if (line === 'QUIESCE') {
        await need(cell).pause();
        failIf(cell);
        out('IDLE');
      } else if (line === 'GO') {
        const result = await need(cell).measure();
        failIf(cell);
        out('DONE');
        out(`RESULT ${JSON.stringify({ ...result, notes: { node: process.version, ...impl.notes, ...result.notes } })}`);
      } else if (line === 'CLOSE') {
        await need(cell).close();
        cell = undefined;
        out('CLOSED');
      } else if (line !== '') {
        throw new Error(`unknown command ${JSON.stringify(line.slice(0, 40))}`);
      }
    }
    if (cell !== undefined) await cell.close();
    process.exit(0);
  } catch (err) {
    out(`ERROR ${err instanceof Error ? err.message : String(err)}`.replace(/\n/g, ' '));
    if (cell !== undefined) await cell.close().catch(() => undefined);
    process.exit(1);
  }
}

function need(cell: Cell | undefined): Cell {
  if (cell === undefined) throw new Error('no cell: CELL first');
  return cell;
}

function failIf(cell: Cell | undefined): void {
  const failure = cell?.failed;
  if (failure !== undefined) throw failure;
}

/** Closes every session and store connection, bounded so a stuck close cannot keep the process alive. */
async function closeAll(contenders: readonly Contender[], stores: readonly StoreClient[]): Promise<void> {
  for (const s of stores) s?.close();
  await Promise.race([Promise.allSettled(contenders.filter(Boolean).map((c) => c.close())), sleep(5000)]);
}
