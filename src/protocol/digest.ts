/**
 * The digest scheme's id: `user:base64(sha1("user:password"))` (DigestAuthenticationProvider).
 * Uses crypto.subtle, which every supported runtime has; hence async.
 */
export async function digestId(user: string, password: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(`${user}:${password}`)));
  let binary = '';
  for (const b of hash) binary += String.fromCharCode(b);
  return `${user}:${btoa(binary)}`;
}

/** The bytes an `auth` packet carries for the digest scheme: UTF-8 `user:password`. */
export function digestAuth(user: string, password: string): Uint8Array {
  return new TextEncoder().encode(`${user}:${password}`);
}
