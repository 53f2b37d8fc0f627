/**
 * What a frame after the handshake means: a watch notification, a ping's answer, an auth reply (matched
 * apart from the FIFO, pipeline.ts), or the reply to the request at the head of the in-flight FIFO; a
 * wrong xid there is a ProtocolError that drops the connection (ClientCnxn "Xid out of order"). Every
 * answer also goes to validity.ts for what it proves, and moves the session's lastZxid and
 * lastAckedSendTime forward through the host.
 */
import { ErrorCode, Xid } from '../protocol/constants.js';
import { decodeReplyHeader, decodeResponse, decodeWatcherEvent } from '../protocol/responses.js';
import type { Connection } from './connection.js';
import { type WatchRegistration, settle } from './pending.js';
import type { RequestPipeline } from './pipeline.js';
import { type SessionValidity, committedOk, passedLeader } from './validity.js';
import type { WatchRegistry } from './watches.js';

export interface ReplyHost {
  readonly connection: Connection;
  readonly pipeline: RequestPipeline;
  readonly validity: SessionValidity;
  readonly watches: WatchRegistry;
  /** A reply's zxid; the session keeps the largest (Session.lastZxid). */
  seen(zxid: bigint): void;
  /** The server answered a request (or ping) sent at `sentAt` (Session.lastAckedSendTime). */
  acked(sentAt: number): void;
  /** The server refused a credential: the session ends. */
  authFailed(): void;
  /** The server enforces SASL and this connection has none: it closed the session (any request, a ping too). */
  authRequired(): void;
}

export function dispatchReply(host: ReplyHost, frame: Uint8Array): void {
  const header = decodeReplyHeader(frame);
  if (header.err === ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH) {
    // Whatever it answers (a request, a ping, SetWatches), the session is over: ending it fails
    // everything pending, this request included, with the reason.
    host.authRequired();
    return;
  }
  switch (header.xid) {
    case Xid.notification: {
      const event = decodeWatcherEvent(frame);
      host.watches.dispatch({ type: event.type, state: event.state, path: event.path });
      return;
    }
    case Xid.ping: {
      const sentAt = host.connection.pingAnswered();
      if (sentAt !== undefined) {
        host.acked(sentAt);
        host.validity.answered(sentAt, host.connection.lastRecv);
      }
      return;
    }
    case Xid.auth: {
      const waiter = host.pipeline.matchAuth();
      settle(waiter, header.err, null);
      if (header.err === ErrorCode.AUTHFAILED) host.authFailed();
      return;
    }
  }
  const p = host.pipeline.matchReply(header.xid);
  host.seen(header.zxid);
  host.acked(p.sentAt);
  const err = header.err;
  host.validity.answered(p.sentAt, host.connection.lastRecv);
  const leader = passedLeader(p.op, err);
  if (leader) host.validity.leaderAnswered(p.sentAt);
  // A settled request (timed out) still counts for validity: its reply proves the same.
  if (p.settled && !leader) return;
  let body: unknown = null;
  if (err === 0) {
    try {
      body = decodeResponse(p.op, frame);
    } catch (e) {
      // The frame's boundaries are intact, so only this request is lost, not the connection.
      settle(p, 0, null, e as Error);
      return;
    }
    if (leader && committedOk(p.op, err, body)) host.validity.committed(p.applied);
  }
  if (p.settled) return;
  if (p.watch !== undefined) registerWatch(host.watches, p.watch, err);
  settle(p, err, body);
}

/** Registers a watch by its reply's error code (ZooKeeper's WatchManager rules, pending.ts). */
function registerWatch(watches: WatchRegistry, w: WatchRegistration, err: number): void {
  if (w.kind === 'existsAware') {
    if (err === 0) watches.add('data', w.path, w.watcher);
    else if (err === ErrorCode.NONODE) watches.add('exist', w.path, w.watcher);
  } else if (err === 0) {
    watches.add(w.kind, w.path, w.watcher);
  }
}
