/**
 * The runner processes of one implementation, kept for the whole run (protocol.ts): the cells of that
 * implementation reuse them, so a JIT stays warm from one cell to the next, as in a long-running
 * service. A cell that fails discards them all; the next cell starts fresh ones.
 */
import type { PreparedImpl } from './runners/registry.js';
import { RunnerProcess } from './runner-process.js';

export class RunnerPool {
  private readonly prepared: PreparedImpl;
  private readonly cwd: string;
  private readonly onOther: (line: string) => void;
  private processes: RunnerProcess[] = [];

  constructor(prepared: PreparedImpl, cwd: string, onOther: (line: string) => void) {
    this.prepared = prepared;
    this.cwd = cwd;
    this.onOther = onOther;
  }

  /** `k` live runner processes: the ones kept, plus new ones when there are fewer. */
  take(k: number): RunnerProcess[] {
    this.processes = this.processes.filter((p) => p.alive);
    while (this.processes.length < k) this.processes.push(new RunnerProcess(this.prepared.command(), this.cwd, this.onOther));
    return this.processes.slice(0, k);
  }

  /** Ends every process (after a failed cell: their state is unknown). */
  async discard(): Promise<void> {
    const gone = this.processes;
    this.processes = [];
    for (const p of gone) p.kill();
    await Promise.all(gone.map((p) => p.end(0)));
  }

  /** EXIT to every process, each killed by PID if it has not exited within a few seconds. */
  async close(): Promise<void> {
    const gone = this.processes;
    this.processes = [];
    await Promise.all(gone.map((p) => p.end(5000)));
  }
}
