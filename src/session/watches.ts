/**
 * Client-side watch bookkeeping (the model of the Java client's ZKWatchManager), keyed by server path.
 *
 * One-shot watchers (data, exist, child) are removed when they fire; persistent and recursive ones stay
 * until removed or the session ends. Registration happens in the reply path, before the caller's promise
 * settles, so no event can slip between a read and its watch. After a reconnect `replaySet()` lists what
 * to send in SetWatches; when the session ends every watcher gets one final event.
 */
import { EventType } from '../protocol/constants.js';
import type { WatchSet } from '../protocol/set-watches.js';

export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

/** A watch notification or the final event; `path` is a server path here (the client strips the chroot). */
export interface RawWatchEvent {
  /** EventType number: NodeCreated 1 .. NodeChildrenChanged 4; None (-1) for the final event. */
  type: number;
  /** KeeperState number: SyncConnected (3) for node events; Expired, Closed or AuthFailed for the final one. */
  state: number;
  path: string;
}

export type Watcher = (event: RawWatchEvent) => void;

const KINDS: readonly WatchKind[] = ['data', 'exist', 'child', 'persistent', 'persistentRecursive'];

export class WatchRegistry {
  private readonly tables: Record<WatchKind, Map<string, Set<Watcher>>> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    persistentRecursive: new Map(),
  };
  private readonly onError: (error: unknown) => void;

  /** `onError` receives anything a watcher throws: a watcher must never break the session. */
  constructor(onError: (error: unknown) => void) {
    this.onError = onError;
  }

  add(kind: WatchKind, path: string, watcher: Watcher): void {
    const table = this.tables[kind];
    let set = table.get(path);
    if (set === undefined) {
      set = new Set();
      table.set(path, set);
    }
    set.add(watcher);
  }

  /** Removes one watcher, or all of `kind` on `path`; returns the removed watchers. */
  remove(kind: WatchKind, path: string, watcher?: Watcher): Watcher[] {
    const table = this.tables[kind];
    const set = table.get(path);
    if (set === undefined) return [];
    if (watcher === undefined) {
      table.delete(path);
      return [...set];
    }
    if (!set.delete(watcher)) return [];
    if (set.size === 0) table.delete(path);
    return [watcher];
  }

  has(kind: WatchKind, path: string, watcher?: Watcher): boolean {
    const set = this.tables[kind].get(path);
    if (set === undefined) return false;
    return watcher === undefined ? set.size > 0 : set.has(watcher);
  }

  get empty(): boolean {
    return KINDS.every((k) => this.tables[k].size === 0);
  }

  /** Fires the watchers a server notification triggers. */
  dispatch(event: RawWatchEvent): void {
    const { type, path } = event;
    const fired: Watcher[] = [];
    switch (type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        this.take('data', path, fired);
        this.take('exist', path, fired);
        break;
      case EventType.NodeChildrenChanged:
        this.take('child', path, fired);
        break;
      case EventType.NodeDeleted:
        this.take('data', path, fired);
        this.take('exist', path, fired);
        this.take('child', path, fired);
        break;
      default:
        return;
    }
    const persistent = this.tables.persistent.get(path);
    if (persistent !== undefined) for (const w of persistent) fired.push(w);
    // Recursive watches never report child changes (AddWatchMode.PERSISTENT_RECURSIVE).
    if (type !== EventType.NodeChildrenChanged && this.tables.persistentRecursive.size > 0) {
      for (let p = path; ; p = parentOf(p)) {
        const set = this.tables.persistentRecursive.get(p);
        if (set !== undefined) for (const w of set) fired.push(w);
        if (p === '/') break;
      }
    }
    // A watcher registered in several tables for one path (exists + getData) fires once per event.
    if (fired.length === 1) {
      this.call(fired[0]!, event);
      return;
    }
    const seen = new Set<Watcher>();
    for (const w of fired) {
      if (seen.has(w)) continue;
      seen.add(w);
      this.call(w, event);
    }
  }

  /** Ends every watch with a final event (expiry, close, auth failure) and clears the tables. */
  /** Moves the one-shot watchers of `kind` on `path` out of the registry into `fired`. */
  private take(kind: WatchKind, path: string, fired: Watcher[]): void {
    const table = this.tables[kind];
    const set = table.get(path);
    if (set === undefined) return;
    table.delete(path);
    for (const w of set) fired.push(w);
  }

  endAll(event: RawWatchEvent): void {
    const all = new Set<Watcher>();
    for (const kind of KINDS) {
      for (const set of this.tables[kind].values()) for (const w of set) all.add(w);
      this.tables[kind].clear();
    }
    for (const w of all) this.call(w, event);
  }

  /** The server paths to re-register after a reconnect, in SetWatches order. */
  replaySet(): WatchSet {
    return {
      data: [...this.tables.data.keys()],
      exist: [...this.tables.exist.keys()],
      child: [...this.tables.child.keys()],
      persistent: [...this.tables.persistent.keys()],
      persistentRecursive: [...this.tables.persistentRecursive.keys()],
    };
  }

  private call(w: Watcher, event: RawWatchEvent): void {
    try {
      w(event);
    } catch (err) {
      this.onError(err);
    }
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * Registers one-shot data watchers before `send` (a SetWatches of their paths) goes out: the server fires
 * NodeDeleted (node missing) or NodeDataChanged (changed since the request's zxid) while handling it, ahead
 * of its reply. If the request fails they are taken out again (the server drops a connection's watches with it).
 */
export function armDataWatches(
  watches: WatchRegistry,
  registrations: readonly { path: string; watcher: Watcher }[],
  send: (paths: string[]) => Promise<unknown>,
): Promise<void> {
  if (registrations.length === 0) return Promise.resolve();
  const reply = send(registrations.map((r) => r.path));
  for (const r of registrations) watches.add('data', r.path, r.watcher);
  return reply.then(
    () => undefined,
    (err: unknown) => {
      for (const r of registrations) watches.remove('data', r.path, r.watcher);
      throw err;
    },
  );
}
