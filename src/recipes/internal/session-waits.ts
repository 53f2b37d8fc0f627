/**
 * Waiting out the session's weather: until it is connected again (or over), and deleting a node
 * whatever the connection does meanwhile.
 */
import { NoNodeError, type ZooKeeper, endsSession, isRetryable, isTerminal } from '../../index.js';

/**
 * Deletes a node, retrying on connection loss until it is gone (NONODE counts as done) or the session
 * is over (then the server deletes ephemeral nodes itself). Never rejects.
 */
export async function deleteGuaranteed(zk: ZooKeeper, path: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await zk.delete(path);
      return;
    } catch (err) {
      if (err instanceof NoNodeError) return;
      if (!isRetryable(err) || endsSession(err)) return;
      await waitConnected(zk, Math.min(1000, 10 * 2 ** attempt));
      if (isTerminal(zk.state)) return;
    }
  }
}

/** Resolves when the client is connected again or its session is over, or after `max` ms. */
export function waitConnected(zk: ZooKeeper, max: number): Promise<void> {
  return new Promise((resolve) => {
    if (zk.state === 'connected' || zk.state === 'connectedReadOnly') {
      resolve();
      return;
    }
    const done = (): void => {
      off();
      clearTimeout(timer);
      resolve();
    };
    const off = zk.onStateChange((change) => {
      if (change.state !== 'connecting' && change.state !== 'disconnected') done();
    });
    const timer = setTimeout(done, max);
  });
}
