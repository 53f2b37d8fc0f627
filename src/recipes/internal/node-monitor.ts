/** How a lease learns that its lock node was deleted: an armed watch, and what kind. */
import type { WatchedEvent } from '../../index.js';

/** An armed watch on the lock node (or its parent), and how to narrow its events to the node. */
export interface NodeMonitor {
  /** Resolves with the next event that may concern the node (data/exists watch, or the parent's child watch). */
  event: Promise<WatchedEvent>;
  /** 'node': a watch on the node itself; 'children': the parent's child watch (must be narrowed to the node). */
  kind: 'node' | 'children';
}
