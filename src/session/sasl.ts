/**
 * SASL on a new connection, between the ConnectResponse and everything else (ClientCnxn holds its queue
 * while SASL is in progress, as this does): GetSASLRequest packets (opcode 102, ordinary xids) carrying
 * the mechanism's tokens, each answered by a SetSASLResponse, until the mechanism completes. Nothing else
 * is in flight meanwhile, so every frame is the answer to the last packet. Run again on every connection:
 * SASL authenticates a connection, not a session.
 */
import {
  AuthFailedError,
  ErrorCode,
  ProtocolError,
  SessionClosedRequireSaslAuthError,
  type ZooKeeperError,
  errorFromCode,
} from '../errors.js';
import { encodeRequest } from '../protocol/requests.js';
import { decodeReplyHeader, decodeResponse } from '../protocol/responses.js';
import { DigestMd5Client, SaslError } from '../protocol/sasl-digest-md5.js';

/** SASL credentials: DIGEST-MD5 (the only mechanism; Kerberos/GSSAPI is not supported). */
export interface SaslCredentials {
  mechanism?: 'DIGEST-MD5';
  username: string;
  password: string;
}

/** What the exchange needs from the session, and what it tells it. */
export interface SaslHost {
  write(bytes: Uint8Array): void;
  nextXid(): number;
  /** Authenticated: the connection may carry everything else now. */
  done(): void;
  /** Refused (AuthFailedError, SessionClosedRequireSaslAuthError): the session ends with `error`. */
  failed(error: AuthFailedError | SessionClosedRequireSaslAuthError): void;
}

/** The error a server enforcing SASL (enforce.auth.enabled) ends an unauthenticated session with. */
export function saslRequired(): SessionClosedRequireSaslAuthError {
  return new SessionClosedRequireSaslAuthError(
    'the server requires SASL authentication (enforce.auth.enabled) and closed the session: connect with the sasl option',
  );
}

export class SaslExchange {
  private readonly client: DigestMd5Client;
  private readonly username: string;
  private readonly host: SaslHost;
  private xid = 0;

  constructor(credentials: SaslCredentials, host: SaslHost) {
    this.client = new DigestMd5Client(credentials.username, credentials.password);
    this.username = credentials.username;
    this.host = host;
  }

  /** Sends the first token. */
  start(): void {
    this.send(this.client.initial());
  }

  /**
   * The server's answer to the last packet: sends the next token, or reports done once authenticated,
   * or failed when refused. Throws ProtocolError for an answer to something else (the connection drops).
   */
  receive(frame: Uint8Array): void {
    let done: boolean;
    try {
      done = this.frame(frame);
    } catch (err) {
      if (!(err instanceof AuthFailedError || err instanceof SessionClosedRequireSaslAuthError)) throw err;
      this.host.failed(err);
      return;
    }
    if (done) this.host.done();
  }

  /**
   * Throws AuthFailedError (refused, or a server that failed its own proof), SessionClosedRequireSaslAuthError
   * (a server enforcing SASL refused it), or ProtocolError (an answer to something else).
   */
  private frame(frame: Uint8Array): boolean {
    const header = decodeReplyHeader(frame);
    if (header.xid !== this.xid) throw new ProtocolError(`reply xid ${header.xid} during SASL, expected ${this.xid}`, 'ReplyHeader.xid', 0);
    if (header.err !== 0) throw this.refusal(header.err);
    const { token } = decodeResponse('sasl', frame);
    let next: Uint8Array | null;
    try {
      next = this.client.evaluate(token);
    } catch (err) {
      if (err instanceof SaslError) throw new AuthFailedError(`SASL DIGEST-MD5 as "${this.username}": ${err.message}`, { cause: err });
      throw err;
    }
    if (this.client.complete) return true;
    if (next === null) throw new AuthFailedError(`SASL DIGEST-MD5 as "${this.username}": the mechanism stopped before completing`);
    this.send(next);
    return false;
  }

  private send(token: Uint8Array): void {
    this.xid = this.host.nextXid();
    this.host.write(encodeRequest(this.xid, { op: 'sasl', token }));
  }
  private refusal(err: number): ZooKeeperError {
    const cause = errorFromCode(err);
    if (err === ErrorCode.AUTHFAILED) {
      return new AuthFailedError(`SASL DIGEST-MD5 as "${this.username}" refused by the server: wrong password, or no such user`, { cause });
    }
    if (err === ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH) {
      return new SessionClosedRequireSaslAuthError(`SASL DIGEST-MD5 as "${this.username}" refused by a server that requires SASL`, {
        cause,
      });
    }
    return new AuthFailedError(`SASL DIGEST-MD5 as "${this.username}" failed: ${cause.message}`, { cause });
  }
}
