/**
 * Test certificates, made at test time with Debian's openssl into a temp dir (deleted at exit): a CA; a
 * server certificate for 127.0.0.1 and localhost; two client certificates (alice, mallory); an untrusted
 * CA; and server certificates that fail a client's checks: expired, and issued for another name. EC P-256
 * keys (fast to make), PKCS#8 PEM, which ZooKeeper's PEM key store (ssl.keyStore.type=PEM) reads.
 *
 * The expired certificate is made with `openssl ca`, the one openssl 3.0 command that takes explicit
 * validity dates (x509 -days cannot go back in time).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackDir } from '../zookeeper/cleanup-registry.js';

/** A certificate and its key: PEM text, and the files (key + chain in one file for ZooKeeper's PEM store). */
export interface CertFiles {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
  certFile: string;
  keyFile: string;
  /** Key then certificate: a ZooKeeper PEM key store (ssl.keyStore.location with ssl.keyStore.type=PEM). */
  keyStoreFile: string;
}

export interface TestCertificates {
  dir: string;
  /** The CA every good certificate is issued by; `ca.certFile` is the PEM trust store for servers. */
  ca: CertFiles;
  /** CN=localhost, SAN IP:127.0.0.1, DNS:localhost. */
  server: CertFiles;
  /** CN=alice,OU=clients,O=zkts: the x509 identity `ALICE_DN`. */
  alice: CertFiles;
  /** CN=mallory,OU=clients,O=zkts: another client of the same CA. */
  mallory: CertFiles;
  /** A CA nobody trusts, and a server certificate (right SANs) it issued. */
  untrustedCa: CertFiles;
  untrustedServer: CertFiles;
  /** Issued by `ca` with the right SANs, valid in 2020 only. */
  expiredServer: CertFiles;
  /** Issued by `ca`, valid, for DNS:zk.example.invalid only. */
  wrongNameServer: CertFiles;
}

/** The x509 ids ZooKeeper's X509AuthenticationProvider gives these clients (the subject, RFC 2253). */
export const ALICE_DN = 'CN=alice,OU=clients,O=zkts';
export const MALLORY_DN = 'CN=mallory,OU=clients,O=zkts';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function files(dir: string, name: string): CertFiles {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const keyStoreFile = join(dir, `${name}.pem`);
  const cert = readFileSync(certFile, 'utf8');
  const key = readFileSync(keyFile, 'utf8');
  writeFileSync(keyStoreFile, key + cert);
  return { cert, key, certFile, keyFile, keyStoreFile };
}

function newKey(dir: string, name: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
}

function selfSignedCa(dir: string, name: string, subject: string): CertFiles {
  newKey(dir, name);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-subj',
      subject,
      '-days',
      '30',
      '-out',
      `${name}.crt`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return files(dir, name);
}

/** A leaf certificate issued by `ca` (a name in `dir`), with `san` (or none) and both TLS usages. */
function issue(dir: string, ca: string, name: string, subject: string, san: string | undefined): CertFiles {
  newKey(dir, name);
  const ext = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyAgreement',
    // Both usages: ensemble members present the server certificate as clients on quorum links.
    'extendedKeyUsage=serverAuth,clientAuth',
    ...(san === undefined ? [] : [`subjectAltName=${san}`]),
  ].join('\n');
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
  return files(dir, name);
}

/** Like issue(), valid only from `start` to `end` (openssl ca dates, YYYYMMDDHHMMSSZ). */
function issueDated(dir: string, ca: string, name: string, subject: string, san: string, start: string, end: string): CertFiles {
  newKey(dir, name);
  const db = join(dir, 'ca-db');
  mkdirSync(db, { recursive: true });
  writeFileSync(join(db, 'index.txt'), '');
  writeFileSync(join(db, 'serial'), '1000\n');
  const config = [
    '[ca]',
    'default_ca = test_ca',
    '[test_ca]',
    `database = ${join(db, 'index.txt')}`,
    `serial = ${join(db, 'serial')}`,
    `new_certs_dir = ${db}`,
    'default_md = sha256',
    'policy = any',
    'unique_subject = no',
    'copy_extensions = none',
    '[any]',
    'commonName = supplied',
    '[leaf]',
    'basicConstraints = CA:FALSE',
    'keyUsage = critical,digitalSignature,keyAgreement',
    'extendedKeyUsage = serverAuth,clientAuth',
    `subjectAltName = ${san}`,
  ].join('\n');
  writeFileSync(join(dir, 'ca.cnf'), `${config}\n`);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  openssl(
    [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-extensions',
      'leaf',
      '-cert',
      `${ca}.crt`,
      '-keyfile',
      `${ca}.key`,
      '-startdate',
      start,
      '-enddate',
      end,
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.crt`,
      '-notext',
    ],
    dir,
  );
  return files(dir, name);
}

const SERVER_SAN = 'IP:127.0.0.1,DNS:localhost';

/** Makes every test certificate into a new temp dir (about a second; deleted when the process exits). */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'zkts-certs-'));
  trackDir(dir);
  const ca = selfSignedCa(dir, 'ca', '/O=zkts/CN=zkts test CA');
  const untrustedCa = selfSignedCa(dir, 'untrusted-ca', '/O=nobody/CN=untrusted test CA');
  return {
    dir,
    ca,
    server: issue(dir, 'ca', 'server', '/O=zkts/CN=localhost', SERVER_SAN),
    alice: issue(dir, 'ca', 'alice', '/O=zkts/OU=clients/CN=alice', undefined),
    mallory: issue(dir, 'ca', 'mallory', '/O=zkts/OU=clients/CN=mallory', undefined),
    untrustedCa,
    untrustedServer: issue(dir, 'untrusted-ca', 'untrusted-server', '/O=nobody/CN=localhost', SERVER_SAN),
    expiredServer: issueDated(dir, 'ca', 'expired-server', '/O=zkts/CN=localhost', SERVER_SAN, '20200101000000Z', '20200102000000Z'),
    wrongNameServer: issue(dir, 'ca', 'wrong-name-server', '/O=zkts/CN=zk.example.invalid', 'DNS:zk.example.invalid'),
  };
}
