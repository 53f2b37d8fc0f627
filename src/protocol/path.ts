/**
 * Znode path validation, as the Java client's PathUtils.validatePath does it before sending:
 * absolute, no trailing "/" (except the root, or a sequential create's prefix), no empty, "." or ".."
 * segments, and none of the characters the server refuses.
 */
import { InvalidArgumentError } from '../errors.js';

function invalid(path: string, reason: string): never {
  throw new InvalidArgumentError(`invalid path ${JSON.stringify(path)}: ${reason}`, { path });
}

/** Throws InvalidArgumentError unless `path` is a valid znode path. For a sequential create, pass `sequential`. */
export function validatePath(path: string, sequential = false): void {
  if (typeof path !== 'string') invalid(String(path), 'not a string');
  // Java checks `path + "1"` for sequential creates, so a trailing "/" is allowed there.
  const p = sequential ? `${path}1` : path;
  if (p.length === 0) invalid(path, 'empty');
  if (p.charCodeAt(0) !== 0x2f) invalid(path, 'must start with "/"');
  if (p.length === 1) return;
  if (p.charCodeAt(p.length - 1) === 0x2f) invalid(path, 'must not end with "/"');
  let segStart = 1;
  for (let i = 1; i <= p.length; i++) {
    const c = i < p.length ? p.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      const len = i - segStart;
      if (len === 0) invalid(path, `empty segment at index ${i}`);
      if ((len === 1 && p.charCodeAt(segStart) === 0x2e) || (len === 2 && p.startsWith('..', segStart))) {
        invalid(path, `relative segment at index ${segStart}`);
      }
      segStart = i + 1;
      continue;
    }
    if (c === 0 || (c > 0 && c < 0x20) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)) {
      invalid(path, `forbidden character U+${c.toString(16).toUpperCase().padStart(4, '0')} at index ${i}`);
    }
  }
}
