/** The shape every record codec has: exact size first, then write into a preallocated frame, and read. */
import type { JuteReader, JuteWriter } from './jute.js';

/** A record's codec: its name, exact encoded size, writer and reader. */
export interface Codec<T> {
  /** The .jute record name, used in error messages. */
  readonly name: string;
  /** The encoded size of `v`, in bytes. */
  size(v: T): number;
  /** Writes `v` at the writer's offset. */
  write(w: JuteWriter, v: T): void;
  /** Reads a record at the reader's offset; a ProtocolError for a malformed one. */
  read(r: JuteReader): T;
}

/** For ops whose request or reply has no body. */
export const EMPTY: Codec<null> = {
  name: 'empty',
  size: () => 0,
  write: () => {},
  read: () => null,
};

export function codec<T>(name: string, size: (v: T) => number, write: (w: JuteWriter, v: T) => void, read: (r: JuteReader) => T): Codec<T> {
  return { name, size, write, read };
}
