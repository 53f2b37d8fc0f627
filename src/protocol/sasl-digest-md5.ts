/**
 * The client side of SASL DIGEST-MD5 (RFC 2831) as ZooKeeper's server runs it: Java's DIGEST-MD5
 * SaslServer for protocol `zookeeper` and server name `zk-sasl-md5` (realm `zk-sasl-md5`, digest-uri
 * `zookeeper/zk-sasl-md5`), qop `auth` only (authentication, no integrity or confidentiality layer: put
 * TLS under it for that), no authzid (the server then authorizes the user name itself).
 *
 * The exchange, over opcode 102 (sasl) after the ConnectResponse: the client sends an empty token; the
 * server answers with a challenge (realm, nonce, qop, charset, algorithm=md5-sess); the client answers
 * with its digest response; the server answers with `rspauth`, proving it knows the password too, which
 * the client checks. A wrong password ends in the server's AUTHFAILED instead.
 */
import { md5, toHex } from './md5.js';

/** ZooKeeper's SASL service: `zookeeper/zk-sasl-md5` (ZooKeeperSaslServer, SaslServerCallbackHandler). */
export const SASL_PROTOCOL = 'zookeeper';
export const SASL_SERVER_NAME = 'zk-sasl-md5';

export class SaslError extends Error {
  override name = 'SaslError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * RFC 2831 directives: `key=value` or `key="quoted"` (backslash escapes), separated by commas. Keys are
 * case-insensitive; a key given twice keeps its first value (the challenge may repeat realm).
 */
export function parseDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ',' || text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= n) break;
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new SaslError(`malformed DIGEST-MD5 challenge near "${text.slice(i, i + 20)}"`);
    const key = text.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < n) i++;
        value += text[i];
        i++;
      }
      if (i >= n) throw new SaslError('malformed DIGEST-MD5 challenge: unterminated quoted string');
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      value = text.slice(i, end).trim();
      i = end;
    }
    if (!out.has(key)) out.set(key, value);
  }
  return out;
}

/**
 * A string's bytes for hashing, as Java's DIGEST-MD5 does it (stringToByte_8859_1): ISO-8859-1 when
 * every character fits, else UTF-8 (only when the server offered charset=utf-8).
 */
function hashBytes(s: string, utf8: boolean): Uint8Array {
  const latin1 = [...s].every((ch) => ch.codePointAt(0)! <= 0xff);
  if (latin1 || !utf8) return Uint8Array.from([...s], (ch) => ch.codePointAt(0)! & 0xff);
  return encoder.encode(s);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const quote = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/** What the response computation needs; the digest itself is `digestResponse`'s. */
export interface DigestParams {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  cnonce: string;
  nc: string;
  qop: string;
  digestUri: string;
  utf8: boolean;
}

/**
 * RFC 2831 2.1.2.1: HEX(KD(HEX(H(A1)), nonce:nc:cnonce:qop:HEX(H(A2)))), with
 * A1 = H(user:realm:password):nonce:cnonce and A2 = "AUTHENTICATE:" digest-uri for the client's
 * response, or ":" digest-uri for the server's rspauth (`forServer`).
 */
export function digestResponse(p: DigestParams, forServer = false): string {
  const secret = md5(
    concat(
      hashBytes(p.username, p.utf8),
      encoder.encode(':'),
      hashBytes(p.realm, p.utf8),
      encoder.encode(':'),
      hashBytes(p.password, p.utf8),
    ),
  );
  const a1 = concat(secret, encoder.encode(`:${p.nonce}:${p.cnonce}`));
  const a2 = `${forServer ? '' : 'AUTHENTICATE'}:${p.digestUri}`;
  const ha1 = toHex(md5(a1));
  const ha2 = toHex(md5(encoder.encode(a2)));
  return toHex(md5(encoder.encode(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`)));
}

/** A fresh client nonce: 16 random bytes, hex. */
function newCnonce(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * One DIGEST-MD5 authentication (a new one per connection). `initial()` is the first token (empty);
 * `evaluate(token)` answers each server token: the challenge with the response, then the rspauth with
 * null once it checks out (`complete` is then true). Throws SaslError on a malformed or unsupported
 * challenge, or a wrong rspauth (a server that does not know the password).
 */
export class DigestMd5Client {
  private step: 'start' | 'challenged' | 'done' = 'start';
  private expectedRspauth = '';
  private readonly username: string;
  private readonly password: string;
  private readonly cnonce: string;

  constructor(username: string, password: string, cnonce: string = newCnonce()) {
    this.username = username;
    this.password = password;
    this.cnonce = cnonce;
  }

  get complete(): boolean {
    return this.step === 'done';
  }

  initial(): Uint8Array {
    return new Uint8Array(0);
  }

  evaluate(token: Uint8Array | null): Uint8Array | null {
    const text = decoder.decode(token ?? new Uint8Array(0));
    if (this.step === 'start') {
      this.step = 'challenged';
      return encoder.encode(this.respond(parseDirectives(text)));
    }
    if (this.step === 'challenged') {
      const rspauth = parseDirectives(text).get('rspauth');
      if (rspauth !== this.expectedRspauth) {
        throw new SaslError('DIGEST-MD5: the server proof (rspauth) does not match: it does not know the password');
      }
      this.step = 'done';
      return null;
    }
    throw new SaslError('DIGEST-MD5: a server token after the exchange completed');
  }

  private respond(challenge: Map<string, string>): string {
    const nonce = challenge.get('nonce');
    if (nonce === undefined) throw new SaslError('DIGEST-MD5 challenge without a nonce');
    const algorithm = challenge.get('algorithm');
    if (algorithm !== undefined && algorithm.toLowerCase() !== 'md5-sess') {
      throw new SaslError(`DIGEST-MD5 challenge with algorithm ${algorithm} (only md5-sess exists)`);
    }
    const qops = (challenge.get('qop') ?? 'auth').split(',').map((q) => q.trim());
    if (!qops.includes('auth')) throw new SaslError(`DIGEST-MD5: the server offers qop ${qops.join(',')}, not auth`);
    const utf8 = challenge.get('charset')?.toLowerCase() === 'utf-8';
    const realm = challenge.get('realm') ?? SASL_SERVER_NAME;
    const params: DigestParams = {
      username: this.username,
      password: this.password,
      realm,
      nonce,
      cnonce: this.cnonce,
      nc: '00000001',
      qop: 'auth',
      digestUri: `${SASL_PROTOCOL}/${SASL_SERVER_NAME}`,
      utf8,
    };
    this.expectedRspauth = digestResponse(params, true);
    const fields = [
      ...(utf8 ? ['charset=utf-8'] : []),
      `username=${quote(this.username)}`,
      `realm=${quote(realm)}`,
      `nonce=${quote(nonce)}`,
      `nc=${params.nc}`,
      `cnonce=${quote(this.cnonce)}`,
      `digest-uri=${quote(params.digestUri)}`,
      `maxbuf=65536`,
      `response=${digestResponse(params)}`,
      'qop=auth',
    ];
    return fields.join(',');
  }
}
