/**
 * TLS certificate failures (errors.ts tlsFailureOf, connect-loop.ts): recognised from each runtime's
 * errors, retried on the next host, and ending the session (authFailed, with the TlsError) once every
 * host failed so in a row, instead of a retry loop that hides them.
 */
import { describe, expect, it } from 'vitest';
import { TlsError, UnsupportedError, endsSession, tlsFailureOf } from '../../../src/errors.js';
import { harness, settle, started } from '../../support/session-harness.js';

const coded = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('tlsFailureOf', () => {
  it.each([
    ['Node expired', coded('CERT_HAS_EXPIRED', 'certificate has expired'), false, 'certificate-expired'],
    [
      'Deno expired',
      new Error('invalid peer certificate: certificate expired: verification time 1, but ...'),
      false,
      'certificate-expired',
    ],
    ['Node untrusted', coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), false, 'untrusted-certificate'],
    [
      'Node self-signed',
      coded('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
      false,
      'untrusted-certificate',
    ],
    ['Deno untrusted', new Error('invalid peer certificate: UnknownIssuer'), false, 'untrusted-certificate'],
    ['Node name', coded('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), false, 'hostname-mismatch'],
    ['Deno name', new Error('invalid peer certificate: NotValidForName'), false, 'hostname-mismatch'],
    [
      'Node alert, no cert',
      coded('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'sslv3 alert bad certificate'),
      false,
      'client-certificate-required',
    ],
    [
      'Node alert, a cert',
      coded('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'sslv3 alert bad certificate'),
      true,
      'client-certificate-rejected',
    ],
    [
      'TLS 1.3 alert',
      coded('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required'),
      false,
      'client-certificate-required',
    ],
    [
      'Bun alert',
      coded('EPROTO', 'error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE'),
      false,
      'client-certificate-required',
    ],
    ['Deno alert', new Error('received fatal alert: CertificateRequired'), false, 'client-certificate-required'],
  ] as const)('%s', (_name, error, clientCert, reason) => {
    const tls = tlsFailureOf(error, 'zk1:2281', clientCert);
    expect(tls).toBeInstanceOf(TlsError);
    expect(tls).toMatchObject({ code: 'TLS', reason, host: 'zk1:2281', cause: error });
    expect(tls!.message).toMatch(/^TLS to zk1:2281 failed: /);
    expect(endsSession(tls)).toBe(true);
  });

  it('looks through the cause chain (a connection loss wrapping the alert), and leaves other errors alone', () => {
    const wrapped = new Error('connection lost', { cause: coded('CERT_HAS_EXPIRED', 'certificate has expired') });
    expect(tlsFailureOf(wrapped, 'h:1', false)?.reason).toBe('certificate-expired');
    expect(tlsFailureOf(coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:2281'), 'h:1', false)).toBeUndefined();
    expect(tlsFailureOf(coded('ECONNRESET', 'socket hang up'), 'h:1', false)).toBeUndefined();
  });
});

describe('session: TLS failures', () => {
  const expiredError = (): Error => coded('CERT_HAS_EXPIRED', 'certificate has expired');

  it('every host failing TLS verification in a row ends the session with the TlsError, after one try each', async () => {
    const h = harness({ tls: { ca: 'CA' } });
    h.transport.decide = () => 'refuse';
    h.transport.refusal = expiredError;
    h.session.start();
    for (let i = 0; i < 10; i++) {
      await settle();
      await h.clock.advance(1000);
    }
    expect(h.transport.attempts).toHaveLength(3);
    expect(h.session.state).toBe('authFailed');
    expect(h.session.endError).toBeInstanceOf(TlsError);
    expect(h.session.endError).toMatchObject({ reason: 'certificate-expired' });
  });

  it('an option the transport cannot honour (UnsupportedError) ends the session at the first try, as closed', async () => {
    const h = harness({ tls: { ca: 'CA' } });
    h.transport.decide = () => 'refuse';
    h.transport.refusal = () => new UnsupportedError('this runtime cannot skip the certificate name check');
    h.session.start();
    for (let i = 0; i < 5; i++) {
      await settle();
      await h.clock.advance(1000);
    }
    expect(h.transport.attempts).toHaveLength(1);
    expect(h.session.state).toBe('closed');
    expect(h.session.endError).toBeInstanceOf(UnsupportedError);
  });

  it('one host with a bad certificate does not stop a client that reaches another', async () => {
    const h = harness({ tls: { ca: 'CA' } });
    h.transport.decide = (_a, i) => (i === 0 ? 'refuse' : 'accept');
    h.transport.refusal = expiredError;
    h.session.start();
    for (let i = 0; i < 3 && h.transport.connections.length === 0; i++) {
      await settle();
      await h.clock.advance(1000);
    }
    await settle();
    expect(h.transport.attempts.map((a) => a.outcome)).toEqual(['refuse', 'accept']);
    h.transport.last.accept();
    await settle();
    expect(h.session.state).toBe('connected');
  });

  it('a refused client certificate (an alert read after the handshake, before the ConnectResponse) counts too', async () => {
    const h = harness({ tls: { ca: 'CA' }, hosts: [{ host: 'zk1', port: 2281 }] });
    const conn = await started(h);
    conn.serverClose(coded('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required'));
    await settle();
    expect(h.session.state).toBe('authFailed');
    expect(h.session.endError).toMatchObject({ code: 'TLS', reason: 'client-certificate-required' });
  });

  it('without TLS, or for network errors, nothing changes: the loop keeps trying', async () => {
    const h = harness({ tls: { ca: 'CA' } });
    h.transport.decide = () => 'refuse';
    h.session.start();
    for (let i = 0; i < 10; i++) {
      await settle();
      await h.clock.advance(1000);
    }
    expect(h.transport.attempts.length).toBeGreaterThan(3);
    expect(h.session.state).toBe('connecting');
    await h.session.close();
  });
});
