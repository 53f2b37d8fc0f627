/**
 * The first exchange on a connection: the ConnectRequest that resumes the session (or asks for a new
 * one), and the server's answer, a ConnectResponse or, when it refuses the session, a bare ReplyHeader.
 * What the answer means for the session is Session.onConnectResponse's.
 */
import { ConnectionLossError, errorFromCode } from '../errors.js';
import { ErrorCode, SESSION_PASSWORD_LENGTH } from '../protocol/constants.js';
import type { ConnectResponse } from '../protocol/records/session.js';
import { encodeConnectRequest } from '../protocol/requests.js';
import { decodeConnectResponse, decodeReplyHeader } from '../protocol/responses.js';

/** xid, zxid, err: what a server sends instead of a ConnectResponse when it refuses the session. */
const REPLY_HEADER_SIZE = 16;
export const NO_PASSWORD = new Uint8Array(SESSION_PASSWORD_LENGTH);

/** What a ConnectRequest carries of the session so far. */
export interface SessionSoFar {
  readonly sessionId: bigint;
  readonly passwd: Uint8Array;
  readonly lastZxid: bigint;
  /** Connected to a read-write server at least once (ClientCnxn seenRwServerBefore). */
  readonly seenReadWrite: boolean;
}

export function connectRequest(
  session: SessionSoFar,
  options: { sessionTimeout: number; allowReadOnly?: boolean | undefined },
): Uint8Array {
  // Until a read-write server was seen, a read-only client asks for a new session every time: read-only
  // servers refuse to resume a global session, and the one a read-only server gave is local to it.
  const resume = session.seenReadWrite || options.allowReadOnly !== true;
  return encodeConnectRequest({
    protocolVersion: 0,
    lastZxidSeen: session.lastZxid,
    timeOut: options.sessionTimeout,
    sessionId: resume ? session.sessionId : 0n,
    passwd: resume ? session.passwd : NO_PASSWORD,
    readOnly: options.allowReadOnly === true,
  });
}

/** The ConnectResponse in `frame`; throws ConnectionLossError when `remote` refused the session instead. */
export function readConnectResponse(frame: Uint8Array, remote: string): ConnectResponse {
  if (frame.length === REPLY_HEADER_SIZE) {
    // Not a ConnectResponse but a bare ReplyHeader: the server refused the session. A read-only server
    // answers NOTREADONLY to a request for a new session unless it runs with localSessionsEnabled
    // (ZOOKEEPER-3864, 3.7+); the loop moves on to the next host, as ClientCnxn does on its EOF.
    const { err } = decodeReplyHeader(frame);
    const hint = err === ErrorCode.NOTREADONLY ? ' (a read-only server creates sessions only with localSessionsEnabled=true)' : '';
    const refusal = errorFromCode(err);
    throw new ConnectionLossError(`${remote} refused the session: ${refusal.message}${hint}`, { cause: refusal });
  }
  return decodeConnectResponse(frame);
}
