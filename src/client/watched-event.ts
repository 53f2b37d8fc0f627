/** Watch events as the public API delivers them: ZooKeeper's names, client (chroot-relative) paths. */
import { EventType, KeeperState } from '../protocol/constants.js';

/** A watch event's type, by ZooKeeper's name (`Watcher.Event.EventType`); 'None' ends a watch when the session ends. */
export type EventTypeName =
  | 'None'
  | 'NodeCreated'
  | 'NodeDeleted'
  | 'NodeDataChanged'
  | 'NodeChildrenChanged'
  | 'DataWatchRemoved'
  | 'ChildWatchRemoved'
  | 'PersistentWatchRemoved';

/** The session state a watch event was delivered in (`Watcher.Event.KeeperState`). */
export type KeeperStateName = 'SyncConnected' | 'Expired' | 'Closed' | 'AuthFailed' | 'Disconnected';

/**
 * A node event, or the final event of a watch: `type: 'None'` with `state` 'Expired', 'Closed' or
 * 'AuthFailed' when the session ended before the node changed. Watch promises always resolve.
 */
export interface WatchedEvent {
  type: EventTypeName;
  state: KeeperStateName;
  /** The node's path, relative to the chroot; "" for the final event. */
  path: string;
}

const typeNames = new Map<number, EventTypeName>((Object.keys(EventType) as EventTypeName[]).map((name) => [EventType[name], name]));

export function eventTypeName(type: number): EventTypeName {
  return typeNames.get(type) ?? 'None';
}

export function keeperStateName(state: number): KeeperStateName {
  switch (state) {
    case KeeperState.Expired:
      return 'Expired';
    case KeeperState.Closed:
      return 'Closed';
    case KeeperState.AuthFailed:
      return 'AuthFailed';
    case KeeperState.Disconnected:
      return 'Disconnected';
    default:
      return 'SyncConnected';
  }
}
