/** Waiting on and recording a client's session states. Bounds are unscaled (scaled by `within`). */
import type { SessionState, StateChange, ZooKeeper } from '../../src/entry/node.js';
import { within } from './promises.js';

/**
 * Resolves with the next state change of `zk` into `states` (one state or any of several), with every
 * state seen on the way; rejects after `ms` (scaled). Subscribe before causing the change.
 */
export function nextState(
  zk: ZooKeeper,
  states: SessionState | readonly SessionState[],
  ms = 10_000,
): Promise<StateChange & { seen: SessionState[] }> {
  const wanted: readonly SessionState[] = typeof states === 'string' ? [states] : states;
  const seen: SessionState[] = [];
  let off = (): void => {};
  const reached = new Promise<StateChange & { seen: SessionState[] }>((resolve) => {
    off = zk.onStateChange((change) => {
      seen.push(change.state);
      if (wanted.includes(change.state)) resolve({ ...change, seen });
    });
  });
  return within(reached, ms, () => `state ${wanted.join('|')} (seen: ${seen.join(', ') || 'nothing'}; state is ${zk.state})`).finally(off);
}

/** Every state change of `zk` from now on, with the time (zk.now()) it happened. */
export function recordStates(zk: ZooKeeper): { changes: (StateChange & { at: number })[]; stop: () => void } {
  const changes: (StateChange & { at: number })[] = [];
  const stop = zk.onStateChange((c) => changes.push({ ...c, at: zk.now() }));
  return { changes, stop };
}
