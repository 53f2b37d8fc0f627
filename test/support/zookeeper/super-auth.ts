/**
 * The super user configured on harness-started servers, so cleanup can delete nodes whatever their ACL.
 * Authenticate with scheme "digest" and credentials `super:zkts-super` (i.e. SUPER_AUTH).
 * Servers reached through ZK_CONNECT know nothing of it.
 */
import { createHash } from 'node:crypto';

export const SUPER_USER = 'super';
export const SUPER_PASSWORD = 'zkts-super';
/** The `digest` auth payload for the super user. */
export const SUPER_AUTH = `${SUPER_USER}:${SUPER_PASSWORD}`;

/** DigestAuthenticationProvider's form: user:base64(sha1("user:password")). */
export function digestOf(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}

/** The JVM flag that makes SUPER_AUTH a super user. */
export function superDigestFlag(): string {
  return `-Dzookeeper.DigestAuthenticationProvider.superDigest=${digestOf(SUPER_USER, SUPER_PASSWORD)}`;
}
