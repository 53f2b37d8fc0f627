/**
 * The lock-benchmark runner protocol. Every implementation (zkts, node-zookeeper-client, Curator in
 * Java, kazoo in Python) runs as its own child process speaking this protocol, so each is measured
 * alone, with its own CPU accounting, and peers in other languages plug in the same way.
 *
 * 1. The orchestrator starts the runner with one argument: the RunnerConfig as JSON.
 * 2. The runner opens `sessions` sessions, prepares, and prints the line `READY`.
 * 3. The orchestrator writes `START\n` to the runner's stdin. The runner contends for `warmupMs`
 *    (nothing recorded), prints `MEASURE` at the moment measurement begins, contends for `measureMs`,
 *    and prints `DONE` when the last contender has left its loop. While measuring it prints
 *    `PROGRESS <acquisitions so far>` about every 250 ms.
 * 4. It then prints one line `RESULT <RunnerResult as JSON>`, closes its sessions and exits 0.
 *    On failure it prints `ERROR <message>` and exits non-zero.
 * Any other stdout line is ignored (logged in verbose mode); stderr is kept for error reports.
 *
 * Each contender loops: t0 = now; acquire; tA = now; record hold start; hold `holdMs` (0: none);
 * record hold end; release; record latency tA - t0. Only acquisitions whose acquire started during the
 * measure window count. Times in `holds` are wall-clock epoch microseconds from a high-resolution
 * source (Node: performance.timeOrigin + performance.now(); Java: Instant.now(); Python: time.time_ns()),
 * so the orchestrator can check holds from several processes on one machine against each other.
 *
 * Clarifications added with the orchestrator (compatible: nothing a runner already does changes):
 * - The hold starts when acquire has returned and ends before release is called (tA, then hold, then
 *   end, then release), so the holds of a correct lock never overlap across processes.
 * - "Acquire started during the measure window": warmupMs <= t0 - start < warmupMs + measureMs on the
 *   runner's own clock, counted from reading START. Contenders start no new acquire after the window, so
 *   the waiters still queued finish and the runner prints DONE soon after; the orchestrator reads the
 *   server's `mntr` at MEASURE and at DONE, so those two lines should be printed at the moment they say.
 * - A cell may spread its sessions over several runner processes (RunnerConfig.worker = 0, 1, ...): each
 *   gets its share in `sessions`; the orchestrator waits for every READY, then sends START to all.
 * - The orchestrator kills a runner (by PID) that overruns its bound or has not exited a few seconds
 *   after RESULT. A runner should also exit when its stdin closes before START.
 * - Hold tokens: see Hold below (czxid, or the sequence number where the library hides the czxid).
 * - CLOSE (optional for runners): after RESULT a runner may wait for the line `CLOSE` on stdin (or for
 *   stdin to end, or at most 5 s) before closing its sessions. The orchestrator sends CLOSE once it has
 *   read `mntr` after DONE, so the closeSession requests (N of them) stay out of the measured window;
 *   a runner that closes at once still works, its closes may just land in that last reading.
 */

export type Implementation =
  | 'zkts-mutex'
  | 'zkts-simple-lock'
  | 'zkts-rwlock'
  | 'nzc-recipe'
  | 'curator'
  | 'kazoo';

export interface RunnerConfig {
  impl: Implementation;
  /** ZooKeeper connect string (hosts only; the lock path below is absolute). */
  connect: string;
  /** The lock's path; all contenders of a cell use the same one. It exists (persistent) beforehand. */
  lockPath: string;
  /** Sessions (contenders) in this process; each session runs one contender loop. */
  sessions: number;
  holdMs: number;
  warmupMs: number;
  measureMs: number;
  /** Requested session timeout, ms. */
  sessionTimeoutMs: number;
  /** zkts-rwlock only: the fraction of acquisitions that take the read lock (e.g. 0.9). */
  readRatio?: number;
  /** Index of this worker when a cell spreads its sessions over several processes. */
  worker?: number;
}

/**
 * One hold: the fencing token as a decimal string, kind, and start/end in epoch microseconds.
 * The token is the lock node's czxid; a runner whose library cannot return the node's Stat from the
 * create (node-zookeeper-client: its create sends opcode 1, whose reply is only the path) may give the
 * node's sequence number instead (the suffix of its name, e.g. "42" for `..-lock-0000000042`), as
 * getting the czxid would cost a request the library's users do not make. Both increase strictly from
 * one holder to the next on one lock path, which is all the orchestrator's check needs; all processes
 * of one cell run the same implementation, so one cell never mixes the two.
 */
export type Hold = [token: string, kind: 'w' | 'r', startUs: number, endUs: number];

export interface RunnerResult {
  impl: Implementation;
  /** Acquisitions whose acquire started inside the measure window. */
  acquisitions: number;
  /** Acquire latency of each counted acquisition, microseconds (call to holding). */
  latenciesUs: number[];
  /** Every counted hold, for the mutual-exclusion check. */
  holds: Hold[];
  /** Process CPU time (user + system) spent during the measure window, microseconds. */
  cpuUs: number;
  /** Length of the measure window actually run, ms. */
  measuredMs: number;
  /** Operations that failed (and were retried or skipped), for the report. */
  errors: number;
  /** Free-form facts (library version, JVM, ...). */
  notes?: Record<string, string>;
}
