/**
 * The fault schedules of a fault run (`--faults`, `--faults-quick`): quiet phases and faults, in order,
 * from GO. Each fault is followed by a wait until the ensemble has one leader and every member serves
 * again, then a quiet phase; the quiet phases are also the windows the before and after rates are taken
 * over (timeline.ts windowRates).
 *
 *   full:  5 s; leader kill -9, restarted once the other two elected a leader (at most 5 s), until it
 *          rejoined; 5 s; a follower paused 3 s (SIGSTOP/SIGCONT); 5 s; a follower isolated from the
 *          other members 8 s; 5 s; worker 1 cut off (every proxy of it black-holed) for the session
 *          timeout + 2 s, so its sessions expire at the ensemble while the process runs on; 5 s.
 *   quick: 2 s phases, only the leader kill and the cut-off (the integration test).
 */

export type FaultKind = 'leader-kill' | 'follower-pause' | 'follower-isolate' | 'worker-cutoff';

export const FAULT_LABELS: Record<FaultKind, string> = {
  'leader-kill': 'leader kill -9',
  'follower-pause': 'follower paused',
  'follower-isolate': 'follower isolated',
  'worker-cutoff': 'worker 1 cut off',
};

export interface FaultStep {
  kind: FaultKind;
  /** How long the fault is held, ms; for the leader kill the longest wait for a new leader before the restart. */
  holdMs: number;
  /** What it is expected to take in all, ms (a leader kill: the election, then a JVM restart and rejoin). */
  expectedMs: number;
}

export interface Schedule {
  name: 'full' | 'quick';
  /** The quiet phase before the first fault and after each. */
  calmMs: number;
  steps: FaultStep[];
  /** The measure window (GO's measureMs): every phase, the faults' expected times, and some slack. */
  windowMs: number;
}

/** Longest wait for the other two members to elect a leader before the killed one restarts anyway. */
export const ELECTION_WAIT_MS = 5000;
/** A killed leader: the election (about 1 s) plus a JVM start and rejoin (3 to 6 s on 2 busy cores). */
const LEADER_KILL_EXPECTED_MS = 9000;
/** Per fault, for the wait until every member serves again after it. */
const SETTLE_MS = 1000;
/** So a slow restart does not push the last fault out of the window. */
const SLACK_MS = 3000;

export function faultSchedule(name: 'full' | 'quick', sessionTimeoutMs: number): Schedule {
  const calmMs = name === 'full' ? 5000 : 2000;
  const cutoffMs = sessionTimeoutMs + 2000;
  const all: FaultStep[] = [
    { kind: 'leader-kill', holdMs: ELECTION_WAIT_MS, expectedMs: LEADER_KILL_EXPECTED_MS },
    { kind: 'follower-pause', holdMs: 3000, expectedMs: 3000 },
    { kind: 'follower-isolate', holdMs: 8000, expectedMs: 8000 },
    { kind: 'worker-cutoff', holdMs: cutoffMs, expectedMs: cutoffMs },
  ];
  const steps = name === 'full' ? all : all.filter((s) => s.kind === 'leader-kill' || s.kind === 'worker-cutoff');
  const windowMs = calmMs * (steps.length + 1) + steps.reduce((s, f) => s + f.expectedMs + SETTLE_MS, 0) + SLACK_MS;
  return { name, calmMs, steps, windowMs };
}
