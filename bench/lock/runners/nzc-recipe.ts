/**
 * Runner for node-zookeeper-client 1.1.3 ("nzc") with the standard lock recipe written on it, since nzc
 * has none: the ZooKeeper recipe as Curator's InterProcessMutex (LockInternals) implements it, step for
 * step, with nzc's callback API:
 *
 *   acquire: create `<lock>/_c_<uuid>-lock-` EPHEMERAL_SEQUENTIAL (Curator's protected name); then loop:
 *            getChildren, sort by sequence; first → held; else getData(predecessor, watcher): NONODE →
 *            loop at once, else wait for the watcher's event and loop (re-read the children).
 *   release: delete our node (version -1).
 *
 * Round trips: uncontended 2 (create, getChildren); waiting +1 (getData); after the event 1 (getChildren);
 * release 1. nzc's create does not return the node's Stat, so the fencing token reported is the node's
 * sequence number (protocol.ts allows it: it increases from holder to holder just as the czxid does).
 *
 * Session expiry: nzc emits 'expired' and the client is dead from then on, but it neither fires the
 * watchers armed on it nor answers requests it queued while disconnected, so a contender would wait
 * forever. Every call of a contender therefore also ends when the session expires, and `ended` lets the
 * loop replace the contender with a new session (runner-loop.ts). nzc only learns of an expiry when it
 * reconnects, though: it has no read timeout (its readTimeout is commented out in 1.1.3), so a
 * connection that goes silent, as under a network cut, is never given up and its contenders wait for
 * good. That is the library's behaviour, and the fault run reports it as it is.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { RunnerConfig } from '../protocol.js';
import { type Contender, runRunner } from '../runner-loop.js';
import { SessionShare } from './session-share.js';

const require = createRequire(import.meta.url);

/** The part of nzc's API the recipe uses (the package ships no types). */
interface NzcException extends Error {
  getCode(): number;
}
type Cb<T> = (error: NzcException | null, result: T) => void;
interface NzcClient {
  connect(): void;
  close(): void;
  once(event: 'connected' | 'disconnected' | 'expired', listener: () => void): void;
  create(path: string, data: Buffer | null, acls: unknown[], mode: number, cb: Cb<string>): void;
  getChildren(path: string, cb: Cb<string[]>): void;
  getData(path: string, watcher: (event: unknown) => void, cb: Cb<Buffer>): void;
  remove(path: string, version: number, cb: (error: NzcException | null) => void): void;
}
interface Nzc {
  createClient(connect: string, options: { sessionTimeout: number; spinDelay?: number; retries?: number }): NzcClient;
  ACL: { OPEN_ACL_UNSAFE: unknown[] };
  CreateMode: { EPHEMERAL_SEQUENTIAL: number };
  Exception: { NO_NODE: number };
}

const nzc = require('node-zookeeper-client') as Nzc;
const NZC_VERSION = (require('node-zookeeper-client/package.json') as { version: string }).version;

const LOCK_NAME = 'lock-';

function call<T>(fn: (cb: Cb<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));
}

/** The sequence suffix of a contender name (Curator's StandardLockInternalsDriver.fixForSorting). */
function sequenceOf(name: string): number {
  const at = name.lastIndexOf(LOCK_NAME);
  return at === -1 ? Number.NaN : Number(name.slice(at + LOCK_NAME.length));
}

/** getData(watch) on the predecessor: resolves once it is gone (at once when it already is). */
function waitForDeletion(client: NzcClient, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.getData(
      path,
      () => resolve(),
      (err) => {
        if (err === null) return; // watching: the watcher resolves
        if (err.getCode() === nzc.Exception.NO_NODE) resolve();
        else reject(err);
      },
    );
  });
}

async function acquire(client: NzcClient, dir: string): Promise<{ path: string; seq: number }> {
  const ourPath = await call<string>((cb) =>
    client.create(`${dir}/_c_${randomUUID()}-${LOCK_NAME}`, null, nzc.ACL.OPEN_ACL_UNSAFE, nzc.CreateMode.EPHEMERAL_SEQUENTIAL, cb),
  );
  const ourName = ourPath.slice(dir.length + 1);
  const ourSeq = sequenceOf(ourName);
  try {
    for (;;) {
      const children = await call<string[]>((cb) => client.getChildren(dir, cb));
      const sorted = children.filter((c) => c.includes(LOCK_NAME)).sort((a, b) => sequenceOf(a) - sequenceOf(b));
      const ours = sorted.indexOf(ourName);
      if (ours === -1) throw new Error(`our lock node ${ourPath} is gone`);
      if (ours === 0) return { path: ourPath, seq: ourSeq };
      await waitForDeletion(client, `${dir}/${sorted[ours - 1]!}`);
    }
  } catch (err) {
    // Curator's deleteOurPath: never leave a contender behind.
    client.remove(ourPath, -1, () => undefined);
    throw err;
  }
}

interface NzcSession {
  client: NzcClient;
  live: <T>(p: Promise<T>) => Promise<T>;
  expired(): boolean;
}

let share: SessionShare<NzcSession> | undefined;

/** The contender's client: its own, or (shareSession) the process's one, which all its contenders use. */
async function open(config: RunnerConfig): Promise<Contender> {
  if (config.impl !== 'nzc-recipe') throw new Error(`the nzc runner does not run ${config.impl}`);
  let s: NzcSession;
  let close: () => Promise<void>;
  if (config.shareSession === true) {
    share ??= new SessionShare(
      () => connectNzc(config),
      closeNzc,
      (x) => x.expired(),
    );
    const taken = await share.take();
    s = taken.session;
    close = taken.release;
  } else {
    s = await connectNzc(config);
    close = () => closeNzc(s);
  }
  const { client, live } = s;
  return {
    async acquire() {
      const { path, seq } = await live(acquire(client, config.lockPath));
      return {
        token: String(seq),
        kind: 'w',
        release: () => live(call<void>((cb) => client.remove(path, -1, (err) => cb(err, undefined)))),
      };
    },
    ended: () => s.expired(),
    close,
  };
}

async function closeNzc(s: NzcSession): Promise<void> {
  // nzc's close() has no callback: give the closeSession request a moment to leave.
  s.client.close();
  await new Promise((r) => setTimeout(r, 50));
}

async function connectNzc(config: RunnerConfig): Promise<NzcSession> {
  const client = nzc.createClient(config.connect, { sessionTimeout: config.sessionTimeoutMs, spinDelay: 100, retries: 0 });
  let expired = false;
  const lost = new Promise<never>((_, reject) =>
    client.once('expired', () => {
      expired = true;
      reject(new Error('nzc: session expired'));
    }),
  );
  lost.catch(() => undefined);
  const live = <T>(p: Promise<T>): Promise<T> => Promise.race([p, lost]);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close(); // or it goes on connecting, and would open a session nobody closes
      reject(new Error('nzc: no session within 30 s'));
    }, 30_000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  return { client, live, expired: () => expired };
}

await runRunner({ open, notes: { library: `node-zookeeper-client ${NZC_VERSION}` } });
