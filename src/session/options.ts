/** What a session is configured with, and the types its callers pass in (credentials, a logger). */
import type { Transport, TransportTlsOptions } from '../transport/types.js';
import type { Clock } from './clock.js';
import type { HostAddress } from './connect-string.js';
import type { WatchRegistration } from './pending.js';
import type { SaslCredentials } from './sasl.js';

/** The levels of log records. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Receives the client's log records (`ConnectOptions.logger`), e.g. `(level, message, fields) => console[level](message, fields)`. */
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface AuthCredential {
  scheme: string;
  auth: Uint8Array;
}

export interface SessionOptions {
  hosts: readonly HostAddress[];
  transport: Transport;
  /** Requested session timeout, ms; the server clamps it (tickTime × 2 .. × 20 by default). */
  sessionTimeout: number;
  /** Per-attempt connect timeout (TCP + handshake); default: session timeout ÷ hosts, at least 1 s. */
  connectTimeout?: number | undefined;
  /** Default deadline for a request, from the call; default twice the session timeout. */
  requestTimeout?: number | undefined;
  allowReadOnly?: boolean | undefined;
  /** Largest incoming frame payload accepted; default jute.maxbuffer plus headroom. */
  maxFrameSize?: number | undefined;
  /** Largest request payload sent; default jute.maxbuffer, past which the server drops the connection. */
  maxRequestSize?: number | undefined;
  /** Cap on bytes queued and in flight; past it requests fail with QueueFullError. Default 64 MiB. */
  maxQueuedBytes?: number | undefined;
  tls?: boolean | TransportTlsOptions | undefined;
  auth?: readonly AuthCredential[] | undefined;
  /** SASL (DIGEST-MD5) run on every connection before anything else (sasl.ts). */
  sasl?: SaslCredentials | undefined;
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
  logger?: Logger | undefined;
}

export interface SubmitOptions {
  /** Client path, for error messages. */
  path?: string | undefined;
  watch?: WatchRegistration | undefined;
  /** Overrides the default request deadline, ms from now. */
  timeout?: number | undefined;
}
