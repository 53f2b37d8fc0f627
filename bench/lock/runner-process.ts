/**
 * One runner process seen from the orchestrator: spawn it, read its protocol lines (protocol.ts), send
 * START, and end it by PID when it overruns. Every wait is bounded; nothing here outlives a cell.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunnerResult } from './protocol.js';

export interface RunnerEvents {
  onMeasure(): void;
  onProgress(acquisitions: number): void;
  onDone(): void;
  /** A line that is not part of the protocol (shown with --verbose). */
  onOther(line: string): void;
}

/** Most stderr kept for an error report. */
const STDERR_TAIL = 4000;

export class RunnerProcess {
  readonly pid: number | undefined;
  private readonly child: ChildProcess;
  private stderr = '';
  private error: string | undefined;
  private result: RunnerResult | undefined;
  private readonly exited: Promise<number | null>;
  private readyResolve: (() => void) | undefined;
  private readonly readyPromise: Promise<void>;
  private resultResolve: (() => void) | undefined;
  private readonly resultPromise: Promise<void>;

  constructor(argv: readonly string[], cwd: string, events: RunnerEvents) {
    this.readyPromise = new Promise((r) => (this.readyResolve = r));
    this.resultPromise = new Promise((r) => (this.resultResolve = r));
    this.child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.once('error', (err) => {
        this.error ??= `could not start ${argv[0]}: ${err.message}`;
        resolve(null);
      });
    });
    void this.exited.then(() => {
      // Whatever it printed, nothing more is coming: release the waiters.
      this.readyResolve?.();
      this.resultResolve?.();
    });
    this.child.stdin?.on('error', () => undefined); // EPIPE when it already exited
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-STDERR_TAIL);
    });
    const rl = createInterface({ input: this.child.stdout! });
    rl.on('line', (line) => {
      if (line === 'READY') this.readyResolve?.();
      else if (line === 'MEASURE') events.onMeasure();
      else if (line === 'DONE') events.onDone();
      else if (line.startsWith('PROGRESS ')) events.onProgress(Number(line.slice(9)) || 0);
      else if (line.startsWith('RESULT ')) {
        try {
          this.result = JSON.parse(line.slice(7)) as RunnerResult;
        } catch (err) {
          this.error ??= `unparsable RESULT: ${(err as Error).message}`;
        }
        this.resultResolve?.();
      } else if (line.startsWith('ERROR')) {
        this.error ??= line.slice(5).trim() || 'ERROR';
        this.resultResolve?.();
      } else events.onOther(line);
    });
  }

  /** Resolves on READY, or when the process exits first (see failure()). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  start(): void {
    this.child.stdin?.write('START\n');
  }

  /** Lets it close its sessions (protocol.ts: CLOSE, once the last mntr has been read). */
  close(): void {
    this.child.stdin?.write('CLOSE\n');
  }

  /** Resolves on RESULT or ERROR, or when the process exits first. */
  finished(): Promise<void> {
    return this.resultPromise;
  }

  get resultOrUndefined(): RunnerResult | undefined {
    return this.result;
  }

  /** Why this runner failed, or undefined while it has not. */
  failure(): string | undefined {
    if (this.error !== undefined) return this.withStderr(this.error);
    if (this.child.exitCode !== null && this.child.exitCode !== 0) return this.withStderr(`exited with code ${this.child.exitCode}`);
    if (this.child.signalCode !== null && this.result === undefined) return this.withStderr(`killed by ${this.child.signalCode}`);
    return undefined;
  }

  private withStderr(message: string): string {
    const tail = this.stderr.trim().split('\n').slice(-6).join(' | ');
    return tail ? `${message} (stderr: ${tail})` : message;
  }

  /** Waits up to `ms` for the process to exit, then kills it by PID (SIGKILL). */
  async end(ms: number): Promise<void> {
    this.child.stdin?.end();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
    ]);
    clearTimeout(timer);
    if (!exited) this.kill();
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000))]);
  }

  /** SIGKILL by PID, if it still runs. */
  kill(): void {
    if (this.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Resolves with `p`'s outcome, or 'timeout' after `ms`. */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
