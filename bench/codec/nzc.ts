/**
 * Typed access to node-zookeeper-client 1.1.3's real Jute codec (CommonJS, interprets
 * lib/jute/specification.json at run time over Node Buffers). Only the records the codec bench uses are
 * typed; the classes themselves are the package's own, untouched.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** What every generated record class has (lib/jute/index.js `Record`). */
export interface NzcRecord {
  byteLength(): number;
  serialize(buffer: Buffer, offset: number): number;
  deserialize(buffer: Buffer, offset: number): number;
}

export interface NzcRequestHeader extends NzcRecord {
  xid: number;
  type: number;
}
export interface NzcPathWatch extends NzcRecord {
  path: string;
  watch: boolean;
}
export interface NzcCreateRequest extends NzcRecord {
  path: string;
  data: Buffer | undefined;
  acl: NzcRecord[];
  flags: number;
}
export interface NzcSetDataRequest extends NzcRecord {
  path: string;
  data: Buffer | undefined;
  version: number;
}
/** Longs are 8-byte big-endian Buffers in nzc. */
export interface NzcReplyHeader extends NzcRecord {
  xid: number;
  zxid: Buffer;
  err: number;
}
export interface NzcStat extends NzcRecord {
  czxid: Buffer;
  mzxid: Buffer;
  ctime: Buffer;
  mtime: Buffer;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: Buffer;
  dataLength: number;
  numChildren: number;
  pzxid: Buffer;
}
export interface NzcStatResponse extends NzcRecord {
  stat: NzcStat;
}
export interface NzcGetDataResponse extends NzcRecord {
  data: Buffer | undefined;
  stat: NzcStat;
}
export interface NzcGetChildren2Response extends NzcRecord {
  children: string[] | undefined;
  stat: NzcStat;
}

type Ctor<T> = new (...args: unknown[]) => T;

export interface NzcJute {
  OP_CODES: Record<string, number>;
  Request: new (header: NzcRecord | null, payload: NzcRecord | null) => { toBuffer(): Buffer };
  Response: new (header: NzcRecord, payload: NzcRecord | null) => { header: NzcReplyHeader; payload: NzcRecord | null };
  protocol: {
    RequestHeader: Ctor<NzcRequestHeader>;
    ReplyHeader: Ctor<NzcReplyHeader>;
    GetDataRequest: Ctor<NzcPathWatch>;
    ExistsRequest: Ctor<NzcPathWatch>;
    CreateRequest: Ctor<NzcCreateRequest>;
    SetDataRequest: Ctor<NzcSetDataRequest>;
    GetDataResponse: Ctor<NzcGetDataResponse>;
    ExistsResponse: Ctor<NzcStatResponse>;
    SetDataResponse: Ctor<NzcStatResponse>;
    GetChildren2Response: Ctor<NzcGetChildren2Response>;
  };
  data: {
    Stat: Ctor<NzcStat>;
  };
}

interface NzcAcl {
  toRecord(): NzcRecord;
}

export const jute = require('node-zookeeper-client/lib/jute/index.js') as NzcJute;
const nzc = require('node-zookeeper-client') as { ACL: { OPEN_ACL_UNSAFE: NzcAcl[] } };

/** nzc's own OPEN_ACL_UNSAFE, converted to Jute records the way its create() does (`acls.map(toRecord)`). */
export function nzcOpenAclRecords(): NzcRecord[] {
  return nzc.ACL.OPEN_ACL_UNSAFE.map((a) => a.toRecord());
}

export const NZC_VERSION = (require('node-zookeeper-client/package.json') as { version: string }).version;
