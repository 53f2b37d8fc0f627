/**
 * The lock-benchmark runner protocol (version 2). Every implementation (zkts, node-zookeeper-client,
 * Curator in Java, kazoo in Python) runs in its own child processes speaking this protocol, so each is
 * measured alone, with its own CPU accounting, and peers in other languages plug in the same way.
 *
 * A runner process lives for a whole run and serves one cell after another, so a JIT (the JVM's above
 * all) stays as warm as it is in a long-running service. Lines on stdin, from the orchestrator:
 *
 *   CELL <RunnerConfig as JSON>  open `sessions` sessions and as many fenced-store connections; print READY.
 *   START      every contender starts its loop (warm-up: nothing recorded). Print
 *              `PROGRESS <acquisitions completed since START>` about every 100 ms from now on.
 *   QUIESCE    contenders finish the acquisition under way (acquire, hold, release) and start none;
 *              print IDLE once every contender is idle.
 *   GO         read the process CPU time, then every contender runs the measure window: it starts
 *              acquisitions only while less than `measureMs` has passed since GO (runner's own clock),
 *              records each of them, and stops. Print `PROGRESS <acquisitions completed since GO>` about
 *              every 100 ms; once every contender has stopped print DONE (CPU read just before), then
 *              `RESULT <RunnerResult as JSON>` on one line.
 *   CLOSE      close the cell's sessions and store connections; print CLOSED. The runner then waits for
 *              the next CELL.
 *   FLOOR <FloorConfig as JSON>   optional (the Java runner): measure the server's floor with this
 *              runtime's own ZooKeeper client, print `FLOOR <FloorResult as JSON>`.
 *   EXIT, or stdin's end   close everything and exit 0.
 * On any failure print `ERROR <message>` (one line) and exit non-zero; the orchestrator then starts a
 * fresh process for the next cell. Lines on stdout other than these are ignored (shown with --verbose).
 *
 * The orchestrator decides when warm-up has reached a steady state (the same rule for everyone: the
 * acquisition rate of two consecutive windows within 5%, with a cap) and sends QUIESCE; it reads the
 * server's counters (`mntr`) after IDLE and after DONE. With every contender idle at both readings,
 * requests, notifications, log flushes and CPU are counted for exactly the acquisitions of the window.
 * A cell may spread its sessions over several runner processes (RunnerConfig.worker = 0, 1, ...): each
 * gets its share in `sessions`, and every command goes to all of them, each step after all answered.
 *
 * Each contender loops: t0 = now; acquire; tA = now; the critical section; release; latency = tA - t0.
 * The critical section is real work on a resource outside the lock, the fenced store (fenced-store.ts),
 * over the contender's own TCP connection to `store` (host:port), one line each way per step:
 *
 *   `E <lockId> <token> <kind> <holder>\n`  → `OK\n` or `STALE\n`   (enter: the holder writes)
 *   then sleep holdMs (0: none)
 *   `X <lockId> <token> <holder>\n`         → `OK\n`                 (exit)
 *
 * lockId is RunnerConfig.lockPath, token the fencing token (below), kind `w` (exclusive) or `r` (shared),
 * holder `<worker>-<session index>`. The store itself records overlaps and stale tokens: that check can
 * fail at hold 0. The hold recorded for the client-side check (Hold below) starts when acquire has
 * returned and ends when X was answered, so the holds of a correct lock never overlap across processes.
 * Times in `holds` are wall-clock epoch microseconds from a high-resolution source (Node:
 * performance.timeOrigin + performance.now(); Java: Instant.now(); Python: time.time_ns()).
 */

import type { RuntimeVariant } from '../shared/runtimes.js';

export type Implementation =
  | 'zkts-mutex'
  /** SharedMutex: contenders on one session share one contender node (issue 15). */
  | 'zkts-shared'
  | 'zkts-simple-lock'
  | 'zkts-rwlock'
  | 'nzc-recipe'
  | 'curator'
  | 'kazoo'
  /** A deliberately broken lock (grants right after its create): the negative control, tests only. */
  | 'broken-lock'
  /** zkts's Mutex with its client side on a runtime and entry (`npm run bench -- --runtime`; bench/shared/runtimes.ts). */
  | `zkts-mutex@${RuntimeVariant}`;

export interface RunnerConfig {
  impl: Implementation;
  /** ZooKeeper connect string (hosts only; the lock path below is absolute). */
  connect: string;
  /** The lock's path; all contenders of a cell use the same one. It exists (persistent) beforehand. */
  lockPath: string;
  /** Sessions (contenders) in this process; each session runs one contender loop. */
  sessions: number;
  holdMs: number;
  measureMs: number;
  /** Requested session timeout, ms. */
  sessionTimeoutMs: number;
  /** The fenced store, `host:port`. */
  store: string;
  /** zkts-rwlock only: the fraction of acquisitions that take the read lock (e.g. 0.9). */
  readRatio?: number;
  /** Index of this worker when a cell spreads its sessions over several processes. */
  worker?: number;
  /**
   * Every contender of this process uses ONE session (client), as an application with many concurrent
   * tasks does: `sessions` is then the number of contenders (threads, tasks) sharing it. Curator: one
   * CuratorFramework, an InterProcessMutex per thread; kazoo: one KazooClient, a Lock per thread; Node
   * runners: one client, a lock object per contender.
   */
  shareSession?: boolean;
}

/**
 * One hold: the fencing token as a decimal string, kind, and start/end in epoch microseconds.
 * The token is the lock node's czxid; a runner whose library cannot return the node's Stat from the
 * create (node-zookeeper-client: its create sends opcode 1, whose reply is only the path) may give the
 * node's sequence number instead (the suffix of its name, e.g. "42" for `..-lock-0000000042`), as
 * getting the czxid would cost a request the library's users do not make. Both increase strictly from
 * one holder to the next on one lock path, which is all the checks need; all processes of one cell run
 * the same implementation, so one cell never mixes the two.
 */
export type Hold = [token: string, kind: 'w' | 'r', startUs: number, endUs: number];

export interface RunnerResult {
  impl: Implementation;
  /** Acquisitions started inside the measure window (all of them completed before DONE). */
  acquisitions: number;
  /** Acquire latency of each counted acquisition, microseconds (call to holding). */
  latenciesUs: number[];
  /** Every counted hold, for the client-side mutual-exclusion check. */
  holds: Hold[];
  /** Process CPU time (user + system) from GO to DONE, microseconds. */
  cpuUs: number;
  /** From GO to the last contender stopping, ms. */
  measuredMs: number;
  /** Operations that failed (and were retried or skipped), for the report. */
  errors: number;
  /** Store answers STALE seen by this runner's holders. */
  staleWrites: number;
  /** Free-form facts (library version, JVM, ...). */
  notes?: Record<string, string>;
}

/** FLOOR's config: two sessions on `connect`, one operation at a time, under `dir` (exists). */
export interface FloorConfig {
  connect: string;
  dir: string;
  iterations: number;
  warmupIterations: number;
  /** Several servers: the watching session syncs before watching. */
  sync: boolean;
}

/** FLOOR's answer: every sample in microseconds (the orchestrator summarizes them). */
export interface FloorSamples {
  createDeleteUs: number[];
  notifyUs: number[];
  /** The client library, e.g. `ZooKeeper 3.8.0 Java client on openjdk 17`. */
  client: string;
}
