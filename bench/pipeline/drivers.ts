/**
 * The two Node clients behind one small interface, each used as its own documentation shows: zkts
 * through its promises, node-zookeeper-client ("nzc") through its callbacks. The window logic is the
 * same for both: start `window` operations, and start the next one as each completes.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { DataResult, ZooKeeper } from '../../src/entry/node.js';
import { type RunSpec, payload } from './spec.js';

export interface Driver {
  /** `n` getData calls on spec.dataPath, at most spec.window in flight; rejects on any error. */
  gets(n: number): Promise<void>;
  /** `n` create-then-delete pairs under spec.pairParent, at most spec.window pairs in progress. */
  pairs(tag: string, n: number): Promise<void>;
  close(): Promise<void>;
}

type ZktsModule = typeof import('../../src/entry/node.js');

/** The zkts build under test: this tree's src by default, or another build's entry module (A/B runs). */
export async function zktsDriver(spec: RunSpec, entry: string | undefined): Promise<Driver> {
  const url = entry === undefined ? new URL('../../src/entry/node.js', import.meta.url).href : pathToFileURL(entry).href;
  const mod = (await import(url)) as ZktsModule;
  const zk: ZooKeeper = await mod.connect(spec.connect, { sessionTimeout: spec.sessionTimeout });
  const data = payload(spec.dataSize);
  return {
    gets(n) {
      return new Promise<void>((resolve, reject) => {
        let issued = 0;
        let done = 0;
        let failed = false;
        const fail = (e: unknown): void => {
          if (failed) return;
          failed = true;
          reject(e instanceof Error ? e : new Error(String(e)));
        };
        const onReply = (r: DataResult): void => {
          if (r.data === null || r.data.length !== spec.dataSize) return fail(new Error('getData: wrong data'));
          done++;
          if (failed) return;
          if (issued < n) issue();
          else if (done === n) resolve();
        };
        const issue = (): void => {
          issued++;
          zk.getData(spec.dataPath).then(onReply, fail);
        };
        for (let i = Math.min(n, spec.window); i > 0; i--) issue();
        if (n === 0) resolve();
      });
    },
    pairs(tag, n) {
      return new Promise<void>((resolve, reject) => {
        let issued = 0;
        let done = 0;
        let failed = false;
        const fail = (e: unknown): void => {
          if (failed) return;
          failed = true;
          reject(e instanceof Error ? e : new Error(String(e)));
        };
        const onPair = (): void => {
          done++;
          if (failed) return;
          if (issued < n) issue();
          else if (done === n) resolve();
        };
        const issue = (): void => {
          const path = `${spec.pairParent}/${tag}-${issued++}`;
          zk.create(path, data)
            .then(() => zk.delete(path))
            .then(onPair, fail);
        };
        for (let i = Math.min(n, spec.window); i > 0; i--) issue();
        if (n === 0) resolve();
      });
    },
    close: () => zk.close(),
  };
}

/** The slice of node-zookeeper-client 1.1.3's callback API this benchmark uses. */
interface NzcClient {
  once(event: 'connected' | 'disconnected', listener: () => void): void;
  connect(): void;
  close(): void;
  getData(path: string, cb: (err: Error | null, data?: Buffer) => void): void;
  create(path: string, data: Buffer, mode: number, cb: (err: Error | null, path?: string) => void): void;
  remove(path: string, version: number, cb: (err: Error | null) => void): void;
}
interface NzcModule {
  createClient(connectString: string, options: { sessionTimeout: number }): NzcClient;
  CreateMode: { PERSISTENT: number };
}

export async function nzcDriver(spec: RunSpec): Promise<Driver> {
  const nzc = createRequire(import.meta.url)('node-zookeeper-client') as NzcModule;
  const client = nzc.createClient(spec.connect, { sessionTimeout: spec.sessionTimeout });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('nzc: no session within 30 s')), 30_000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  const data = Buffer.from(payload(spec.dataSize));
  const persistent = nzc.CreateMode.PERSISTENT;
  return {
    gets(n) {
      return new Promise<void>((resolve, reject) => {
        let issued = 0;
        let done = 0;
        let failed = false;
        const onReply = (err: Error | null, bytes?: Buffer): void => {
          if (failed) return;
          if (err !== null || bytes === undefined || bytes.length !== spec.dataSize) {
            failed = true;
            reject(err ?? new Error('getData: wrong data'));
            return;
          }
          done++;
          if (issued < n) issue();
          else if (done === n) resolve();
        };
        const issue = (): void => {
          issued++;
          client.getData(spec.dataPath, onReply);
        };
        for (let i = Math.min(n, spec.window); i > 0; i--) issue();
        if (n === 0) resolve();
      });
    },
    pairs(tag, n) {
      return new Promise<void>((resolve, reject) => {
        let issued = 0;
        let done = 0;
        let failed = false;
        const fail = (err: Error): void => {
          if (failed) return;
          failed = true;
          reject(err);
        };
        const onDeleted = (err: Error | null): void => {
          if (err !== null) return fail(err);
          done++;
          if (failed) return;
          if (issued < n) issue();
          else if (done === n) resolve();
        };
        const issue = (): void => {
          const path = `${spec.pairParent}/${tag}-${issued++}`;
          client.create(path, data, persistent, (err) => {
            if (err !== null) return fail(err);
            client.remove(path, -1, onDeleted);
          });
        };
        for (let i = Math.min(n, spec.window); i > 0; i--) issue();
        if (n === 0) resolve();
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        client.once('disconnected', () => {
          clearTimeout(timer);
          resolve();
        });
        client.close();
      });
    },
  };
}
