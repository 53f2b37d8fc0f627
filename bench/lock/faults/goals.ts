/**
 * The goals a fault run reports on (reported, not tuned toward): zkts Mutex keeps mutual exclusion and
 * leaves no contender node behind, and recovers from a leader kill sooner than every other implementation.
 */
import type { GoalResult } from '../report.js';
import type { FaultImplResult } from './report.js';

const seconds = (ms: number | null): string => (ms === null ? 'no hand-off after it' : `${(ms / 1000).toFixed(2)} s`);

export function evaluateFaultGoals(results: readonly FaultImplResult[]): GoalResult[] {
  const goals: GoalResult[] = [];
  const mutex = results.find((r) => r.impl === 'zkts-mutex');

  goals.push({
    goal: 'no mutual-exclusion violation under faults (every implementation)',
    met: results.length === 0 ? null : results.every((r) => r.violations === 0),
    detail: results.map((r) => `${r.impl}: ${r.violations}`).join('; ') || 'nothing measured',
  });

  if (mutex === undefined) {
    goals.push({ goal: 'zkts Mutex: 0 violations and 0 orphan nodes', met: null, detail: 'zkts-mutex not run' });
    goals.push({ goal: 'zkts Mutex: the shortest gap after the leader kill', met: null, detail: 'zkts-mutex not run' });
    return goals;
  }
  goals.push({
    goal: 'zkts Mutex: 0 violations and 0 orphan nodes',
    met: mutex.orphans === null ? (mutex.violations > 0 ? false : null) : mutex.violations === 0 && mutex.orphans === 0,
    detail: `${mutex.violations} violations, ${mutex.orphans === null ? 'orphans not counted (no DONE)' : `${mutex.orphans} orphans`}${mutex.status === 'failed' ? `; the cell failed: ${mutex.error ?? '?'}` : ''}`,
  });

  const killed = results.filter((r) => r.faults.some((f) => f.kind === 'leader-kill'));
  const others = killed.filter((r) => r.impl !== 'zkts-mutex');
  const own = mutex.gapAfterLeaderKillMs;
  let met: boolean | null = null;
  if (killed.includes(mutex) && others.length > 0) {
    met = own !== null && others.every((r) => r.gapAfterLeaderKillMs === null || own < r.gapAfterLeaderKillMs);
  }
  goals.push({
    goal: 'zkts Mutex: the shortest gap after the leader kill (from the kill to the first critical section granted after it)',
    met,
    detail:
      killed.length === 0
        ? 'no leader kill ran'
        : killed
            .map((r) => `${r.impl} ${seconds(r.gapAfterLeaderKillMs)} (half rate after ${seconds(r.recoveryAfterLeaderKillMs)})`)
            .join('; '),
  });
  return goals;
}
