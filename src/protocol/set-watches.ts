/**
 * Splits the watches to replay after a reconnect into SetWatches (101) / SetWatches2 (105) requests
 * (ZOOKEEPER-706: one huge SetWatches can exceed jute.maxbuffer and loop the client forever).
 *
 * Paths are taken in the Java client's order (data, exist, child, persistent, persistentRecursive).
 * Unlike Java, which counts characters and may overshoot by one path, a batch's encoded payload stays
 * within `maxBytes` (128 KiB by default); only a single path longer than that gets a batch of its own.
 * A batch with no persistent entries goes out as SetWatches, which servers before 3.6 understand.
 */
import { SET_WATCHES_MAX_LENGTH } from './constants.js';
import { utf8Length } from './jute.js';
import type { Request } from './requests.js';
import { REQUEST_HEADER_SIZE } from './records/session.js';

/** The watched paths to re-arm, by kind (server paths). */
export interface WatchSet {
  data?: readonly string[];
  exist?: readonly string[];
  child?: readonly string[];
  persistent?: readonly string[];
  persistentRecursive?: readonly string[];
}

type Lists = [string[], string[], string[], string[], string[]];

// relativeZxid + five vector counts (SetWatches2 form; SetWatches is 8 bytes smaller).
const FIXED = REQUEST_HEADER_SIZE + 8 + 5 * 4;

/**
 * The SetWatches / SetWatches2 requests that re-arm `watches` from `relativeZxid`, each within `maxBytes`
 * (paths in the Java client's order; a batch without persistent watches goes out as SetWatches, which servers
 * before 3.6 understand).
 */
export function splitSetWatches(relativeZxid: bigint, watches: WatchSet, maxBytes: number = SET_WATCHES_MAX_LENGTH): Request[] {
  const sources = [watches.data, watches.exist, watches.child, watches.persistent, watches.persistentRecursive];
  const requests: Request[] = [];
  let batch: Lists = [[], [], [], [], []];
  let size = FIXED;
  let count = 0;
  const flush = (): void => {
    if (count === 0) return;
    const [dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches] = batch;
    if (persistentWatches.length === 0 && persistentRecursiveWatches.length === 0) {
      requests.push({ op: 'setWatches', relativeZxid, dataWatches, existWatches, childWatches });
    } else {
      requests.push({
        op: 'setWatches2',
        relativeZxid,
        dataWatches,
        existWatches,
        childWatches,
        persistentWatches,
        persistentRecursiveWatches,
      });
    }
    batch = [[], [], [], [], []];
    size = FIXED;
    count = 0;
  };
  for (let list = 0; list < sources.length; list++) {
    for (const path of sources[list] ?? []) {
      const n = 4 + utf8Length(path);
      if (count > 0 && size + n > maxBytes) flush();
      batch[list]!.push(path);
      size += n;
      count++;
    }
  }
  flush();
  return requests;
}
