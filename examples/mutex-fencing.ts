/**
 * A Mutex guarding a store outside ZooKeeper, with fencing tokens.
 *
 * Three workers, each with its own session, increment a counter kept in a "store" (here an object in this
 * process; in real life a database or a file server). Each write carries the lock's fencing token, and the
 * store refuses a token older than the newest it has seen, so a holder that lost the lock (a long pause,
 * a partition) cannot overwrite a newer holder's work even if it still believes it holds the lock.
 *
 *   ZK_CONNECT=127.0.0.1:2181 npx tsx examples/mutex-fencing.ts
 */
import { connect } from 'zkts';
import { Mutex } from 'zkts/recipes';

const connectString = process.env['ZK_CONNECT'] ?? '127.0.0.1:2181';
const LOCK = '/examples/mutex-fencing/lock';
const WORKERS = 3;
const ROUNDS = 3;

/** A store that refuses writes carrying a fencing token older than the newest it has accepted. */
class FencedStore {
  private newest = -1n;
  counter = 0;

  write(token: bigint, counter: number): void {
    if (token < this.newest) throw new Error(`stale fencing token ${token} (newest ${this.newest}): write refused`);
    this.newest = token;
    this.counter = counter;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const store = new FencedStore();
  let inside = 0;

  async function worker(name: string): Promise<void> {
    await using zk = await connect(connectString, { sessionTimeout: 10_000 });
    const mutex = new Mutex(zk, LOCK);
    for (let round = 0; round < ROUNDS; round++) {
      await using lease = await mutex.acquire({ timeout: 30_000 });
      inside++;
      if (inside !== 1) throw new Error(`${inside} holders at once`);
      const read = store.counter; // read-modify-write: only safe under the lock
      await sleep(20);
      lease.signal.throwIfAborted(); // stop if holding the lock is no longer certain
      store.write(lease.fencingToken, read + 1);
      console.log(`${name}: counter ${read} -> ${read + 1} with fencing token ${lease.fencingToken}`);
      inside--;
    } // `await using` releases the lease here, then closes the session
  }

  await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(`worker-${i + 1}`)));
  if (store.counter !== WORKERS * ROUNDS) throw new Error(`counter ${store.counter}, expected ${WORKERS * ROUNDS}`);
  console.log(`counter = ${store.counter}: no increment was lost`);

  // A holder that was superseded: its token is older than the store's newest, so its write is refused.
  await using zk = await connect(connectString, { sessionTimeout: 10_000 });
  const mutex = new Mutex(zk, LOCK);
  const old = await mutex.acquire();
  const staleToken = old.fencingToken;
  await old.release(); // stands for a pause long enough for the session to expire and the lock to move on
  const next = await mutex.acquire();
  store.write(next.fencingToken, store.counter + 1);
  await next.release();
  try {
    store.write(staleToken, 0);
    throw new Error('the store accepted a stale token');
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('stale fencing token')) throw err;
    console.log(`the old holder's write was refused: ${err.message}`);
  }
  await zk.delete('/examples/mutex-fencing/lock').catch(() => {}); // a container: the server would reap it anyway
  console.log('ok');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
