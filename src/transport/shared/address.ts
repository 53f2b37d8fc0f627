/** How adapters write an address, and tell one from a name. */

/** "host:port", an IPv6 address in brackets: the connection's `remote` and the address in error messages. */
export function remoteName(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** An IP address rather than a name (a TLS server name must be a name). */
export function isIpAddress(host: string): boolean {
  return host.includes(':') || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host);
}
