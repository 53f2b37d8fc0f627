/**
 * Server options for a secured ZooKeeper, as operators configure one: TLS on a secureClientPort (Netty,
 * PEM key and trust stores), ssl.clientAuth, the x509 auth provider, quorum TLS for an ensemble, SASL
 * DIGEST-MD5 users through JAAS, and enforced authentication. Feed the result to startStandalone or
 * startEnsemble. Only the security test files start such servers (one per file).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ZkServerOptions } from '../zookeeper/index.js';
import type { CertFiles, TestCertificates } from './certs.js';

export interface SecureServerSpec {
  certs: TestCertificates;
  /** TLS on a secureClientPort, with this certificate (default certs.server); false: no TLS port. */
  tls?: CertFiles | false;
  /** ssl.clientAuth (default need). need and want also register the x509 provider, which they require. */
  clientAuth?: 'need' | 'want' | 'none';
  /** Quorum TLS (sslQuorum) for an ensemble, with certs.server. */
  quorumTls?: boolean;
  /** SASL DIGEST-MD5 users (JAAS DigestLoginModule) and the sasl auth provider. */
  saslUsers?: Record<string, string>;
  /** enforce.auth.enabled with the sasl scheme: clients without SASL are refused. */
  enforceSasl?: boolean;
  /** More zoo.cfg lines. */
  config?: Record<string, string | number | boolean>;
}

const X509_PROVIDER = 'org.apache.zookeeper.server.auth.X509AuthenticationProvider';
const SASL_PROVIDER = 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider';

/** ZkServerOptions for `spec` (writes the JAAS file into the certificates' dir when SASL is on). */
export function secureServerOptions(spec: SecureServerSpec, name = 'zk'): ZkServerOptions {
  const { certs } = spec;
  const config: Record<string, string | number | boolean> = {};
  const jvmFlags: string[] = [];
  const tls = spec.tls === undefined ? certs.server : spec.tls;
  if (tls !== false) {
    const clientAuth = spec.clientAuth ?? 'need';
    Object.assign(config, {
      'ssl.keyStore.location': tls.keyStoreFile,
      'ssl.keyStore.type': 'PEM',
      'ssl.trustStore.location': certs.ca.certFile,
      'ssl.trustStore.type': 'PEM',
      'ssl.clientAuth': clientAuth,
    });
    // With need or want the server hands a client certificate to the x509 provider, and closes the
    // connection when none is registered (NettyServerCnxnFactory.CertificateVerifier).
    if (clientAuth !== 'none') config['authProvider.x509'] = X509_PROVIDER;
  }
  if (spec.quorumTls === true) {
    Object.assign(config, {
      sslQuorum: true,
      'ssl.quorum.keyStore.location': certs.server.keyStoreFile,
      'ssl.quorum.keyStore.type': 'PEM',
      'ssl.quorum.trustStore.location': certs.ca.certFile,
      'ssl.quorum.trustStore.type': 'PEM',
    });
  }
  if (spec.saslUsers !== undefined) {
    const users = Object.entries(spec.saslUsers)
      .map(([user, password]) => `  user_${user}="${password}"`)
      .join('\n');
    const jaas = join(certs.dir, `${name}-jaas.conf`);
    writeFileSync(jaas, `Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n${users};\n};\n`);
    jvmFlags.push(`-Djava.security.auth.login.config=${jaas}`);
    config['authProvider.sasl'] = SASL_PROVIDER;
  }
  if (spec.enforceSasl === true) {
    // 3.8 reads enforce.auth.schemes (a list); 3.7 read enforce.auth.scheme. Both become system properties.
    Object.assign(config, { 'enforce.auth.enabled': true, 'enforce.auth.schemes': 'sasl', 'enforce.auth.scheme': 'sasl' });
  }
  Object.assign(config, spec.config ?? {});
  return { secureClientPort: tls !== false, config, jvmFlags, heapMb: 96 };
}

/** Client TLS options from test certificates: the CA, and a client certificate when given. */
export function clientTls(
  certs: TestCertificates,
  client?: CertFiles,
  extra: Record<string, unknown> = {},
): {
  ca: string;
  cert?: string;
  key?: string;
} {
  return { ca: certs.ca.cert, ...(client === undefined ? {} : { cert: client.cert, key: client.key }), ...extra };
}
