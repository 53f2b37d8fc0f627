/**
 * One runner process seen from the orchestrator (protocol.ts, version 2): spawn it, send its commands,
 * wait for its answers in order, follow its PROGRESS, and end it by PID when it overruns. A process
 * serves many cells; every wait is bounded, and nothing here outlives the run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Most stderr kept for an error report. */
const STDERR_TAIL = 4000;

/** An answer line: READY, IDLE, DONE, CLOSED, or RESULT / FLOOR with their JSON. */
interface Answer {
  word: string;
  payload: string;
}

export class RunnerProcess {
  readonly pid: number | undefined;
  /** The latest PROGRESS count. */
  progress = 0;
  private readonly child: ChildProcess;
  private stderr = '';
  private error: string | undefined;
  private readonly answers: Answer[] = [];
  private waiter: (() => void) | undefined;
  private readonly exited: Promise<number | null>;
  private gone = false;

  constructor(argv: readonly string[], cwd: string, onOther: (line: string) => void) {
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
      this.gone = true;
      this.wake();
    });
    this.child.stdin?.on('error', () => undefined); // EPIPE when it already exited
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-STDERR_TAIL);
    });
    const rl = createInterface({ input: this.child.stdout! });
    rl.on('line', (line) => {
      if (line.startsWith('PROGRESS ')) {
        this.progress = Number(line.slice(9)) || 0;
        return;
      }
      const space = line.indexOf(' ');
      const word = space === -1 ? line : line.slice(0, space);
      if (['READY', 'IDLE', 'DONE', 'CLOSED', 'RESULT', 'FLOOR'].includes(word)) {
        this.answers.push({ word, payload: space === -1 ? '' : line.slice(space + 1) });
        this.wake();
      } else if (word === 'ERROR') {
        this.error ??= line.slice(5).trim() || 'ERROR';
        this.wake();
      } else onOther(line);
    });
  }

  /** Sends one command line. */
  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** The next answer, which must be `word`; its payload. Throws on ERROR, exit, another answer, or after `ms`. */
  async expect(word: string, ms: number): Promise<string> {
    const deadline = performance.now() + ms;
    for (;;) {
      const next = this.answers.shift();
      if (next !== undefined) {
        if (next.word !== word) throw new Error(`expected ${word}, got ${next.word}`);
        return next.payload;
      }
      const failure = this.failure();
      if (failure !== undefined) throw new Error(failure);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no ${word} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        };
      });
    }
  }

  /** Why this runner failed, or undefined while it has not. */
  failure(): string | undefined {
    if (this.error !== undefined) return this.withStderr(this.error);
    if (this.gone) return this.withStderr(`exited (code ${this.child.exitCode ?? this.child.signalCode})`);
    return undefined;
  }

  get alive(): boolean {
    return !this.gone && this.error === undefined;
  }

  /** EXIT, then waits up to `ms` for the process to exit, then kills it by PID (SIGKILL). */
  async end(ms: number): Promise<void> {
    this.send('EXIT');
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

  private withStderr(message: string): string {
    const tail = this.stderr.trim().split('\n').slice(-6).join(' | ');
    return tail ? `${message} (stderr: ${tail})` : message;
  }

  private wake(): void {
    this.waiter?.();
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
