/**
 * multi (14) and multiRead (22): a run of MultiHeader + op record, ended by MultiHeader{-1, done, -1};
 * the reply is the same framing with result records. A failed transaction reports every op as an
 * error result (type -1): 0 before the failing op, its code, then RUNTIMEINCONSISTENCY after it.
 */
import { ProtocolError } from '../../errors.js';
import { OpCode } from '../constants.js';
import type { JuteReader, JuteWriter } from '../jute.js';
import { type Stat, STAT_SIZE, readStat, writeStat } from './data.js';
import {
  type CreateRequest,
  type CreateTTLRequest,
  type PathVersionRecord,
  type PathWatchRecord,
  type SetDataRequest,
  readCreateRequest,
  readCreateTTLRequest,
  readPathVersion,
  readPathWatch,
  readSetDataRequest,
  sizeCreateRequest,
  sizeCreateTTLRequest,
  sizePathVersion,
  sizePathWatch,
  sizeSetDataRequest,
  writeCreateRequest,
  writeCreateTTLRequest,
  writePathVersion,
  writePathWatch,
  writeSetDataRequest,
} from './ops.js';
import { sizeBuffer, sizeString, sizeStrings } from '../jute.js';

/** The `MultiHeader` record of zookeeper.jute. */
export interface MultiHeader {
  type: number;
  done: boolean;
  err: number;
}

/** The encoded size of a MultiHeader, in bytes. */
export const MULTI_HEADER_SIZE = 9;

/** A sub-op of multi (writes) or multiRead (getData, getChildren; their watch flag is ignored by the server). */
export type MultiOp =
  | ({ op: 'create' | 'create2' | 'createContainer' } & CreateRequest)
  | ({ op: 'createTTL' } & CreateTTLRequest)
  | ({ op: 'delete' } & PathVersionRecord)
  | ({ op: 'check' } & PathVersionRecord)
  | ({ op: 'setData' } & SetDataRequest)
  | ({ op: 'getData' } & PathWatchRecord)
  | ({ op: 'getChildren' } & PathWatchRecord);

/** One op's outcome. Creates answer `create` (path) or `create2` (path and stat) depending on server version. */
export type MultiResult =
  | { op: 'create'; path: string }
  | { op: 'create2'; path: string; stat: Stat }
  | { op: 'delete' }
  | { op: 'check' }
  | { op: 'setData'; stat: Stat }
  | { op: 'getData'; data: Uint8Array | null; stat: Stat }
  | { op: 'getChildren'; children: string[] | null }
  | { op: 'error'; err: number };

function writeMultiHeader(w: JuteWriter, type: number, done: boolean, err: number): void {
  w.int(type);
  w.bool(done);
  w.int(err);
}

/**
 * Reads a `MultiHeader` record at the reader's offset.
 *
 * @throws {@link zkts!ProtocolError} when the frame is truncated or a field is malformed.
 */
export function readMultiHeader(r: JuteReader): MultiHeader {
  return { type: r.int('MultiHeader.type'), done: r.bool('MultiHeader.done'), err: r.int('MultiHeader.err') };
}

function sizeMultiOp(op: MultiOp): number {
  switch (op.op) {
    case 'create':
    case 'create2':
    case 'createContainer':
      return sizeCreateRequest(op);
    case 'createTTL':
      return sizeCreateTTLRequest(op);
    case 'delete':
    case 'check':
      return sizePathVersion(op);
    case 'setData':
      return sizeSetDataRequest(op);
    case 'getData':
    case 'getChildren':
      return sizePathWatch(op);
  }
}

/** The encoded size of a `MultiRequest` record, in bytes. */
export function sizeMultiRequest(ops: readonly MultiOp[]): number {
  let n = MULTI_HEADER_SIZE;
  for (const op of ops) n += MULTI_HEADER_SIZE + sizeMultiOp(op);
  return n;
}

/** Writes a `MultiRequest` record at the writer's offset (the buffer must be large enough: see `sizeMultiRequest`). */
export function writeMultiRequest(w: JuteWriter, ops: readonly MultiOp[]): void {
  for (const op of ops) {
    writeMultiHeader(w, OpCode[op.op], false, -1);
    switch (op.op) {
      case 'create':
      case 'create2':
      case 'createContainer':
        writeCreateRequest(w, op);
        break;
      case 'createTTL':
        writeCreateTTLRequest(w, op);
        break;
      case 'delete':
      case 'check':
        writePathVersion(w, op);
        break;
      case 'setData':
        writeSetDataRequest(w, op);
        break;
      case 'getData':
      case 'getChildren':
        writePathWatch(w, op);
        break;
    }
  }
  writeMultiHeader(w, -1, true, -1);
}

/** Decodes a multi request body (for fake servers and tests). Each op consumes at least 9 bytes, so it ends. */
export function readMultiRequest(r: JuteReader): MultiOp[] {
  const ops: MultiOp[] = [];
  for (;;) {
    const h = readMultiHeader(r);
    if (h.done) return ops;
    switch (h.type) {
      case OpCode.create:
        ops.push({ op: 'create', ...readCreateRequest(r) });
        break;
      case OpCode.create2:
        ops.push({ op: 'create2', ...readCreateRequest(r) });
        break;
      case OpCode.createContainer:
        ops.push({ op: 'createContainer', ...readCreateRequest(r) });
        break;
      case OpCode.createTTL:
        ops.push({ op: 'createTTL', ...readCreateTTLRequest(r) });
        break;
      case OpCode.delete:
        ops.push({ op: 'delete', ...readPathVersion(r) });
        break;
      case OpCode.check:
        ops.push({ op: 'check', ...readPathVersion(r) });
        break;
      case OpCode.setData:
        ops.push({ op: 'setData', ...readSetDataRequest(r) });
        break;
      case OpCode.getData:
        ops.push({ op: 'getData', ...readPathWatch(r) });
        break;
      case OpCode.getChildren:
        ops.push({ op: 'getChildren', ...readPathWatch(r) });
        break;
      default:
        throw new ProtocolError(`unknown multi op type ${h.type}`, `${r.what}.MultiHeader.type`, r.offset - 9);
    }
  }
}

function sizeMultiResult(res: MultiResult): number {
  switch (res.op) {
    case 'create':
      return sizeString(res.path);
    case 'create2':
      return sizeString(res.path) + STAT_SIZE;
    case 'delete':
    case 'check':
      return 0;
    case 'setData':
      return STAT_SIZE;
    case 'getData':
      return sizeBuffer(res.data) + STAT_SIZE;
    case 'getChildren':
      return sizeStrings(res.children);
    case 'error':
      return 4;
  }
}

/** The encoded size of a `MultiResponse` record, in bytes. */
export function sizeMultiResponse(results: readonly MultiResult[]): number {
  let n = MULTI_HEADER_SIZE;
  for (const res of results) n += MULTI_HEADER_SIZE + sizeMultiResult(res);
  return n;
}

/** Writes a `MultiResponse` record at the writer's offset (the buffer must be large enough: see `sizeMultiResponse`). */
export function writeMultiResponse(w: JuteWriter, results: readonly MultiResult[]): void {
  for (const res of results) {
    if (res.op === 'error') {
      writeMultiHeader(w, -1, false, res.err);
      w.int(res.err);
      continue;
    }
    writeMultiHeader(w, OpCode[res.op], false, 0);
    switch (res.op) {
      case 'create':
        w.string(res.path);
        break;
      case 'create2':
        w.string(res.path);
        writeStat(w, res.stat);
        break;
      case 'setData':
        writeStat(w, res.stat);
        break;
      case 'getData':
        w.buffer(res.data);
        writeStat(w, res.stat);
        break;
      case 'getChildren':
        w.strings(res.children);
        break;
      case 'delete':
      case 'check':
        break;
    }
  }
  writeMultiHeader(w, -1, true, -1);
}

/** Decodes a multi or multiRead reply body; an unknown result type is a ProtocolError, as in Java. */
export function readMultiResponse(r: JuteReader): MultiResult[] {
  const results: MultiResult[] = [];
  for (;;) {
    const h = readMultiHeader(r);
    if (h.done) return results;
    switch (h.type) {
      case OpCode.create:
        results.push({ op: 'create', path: r.path('CreateResponse.path') });
        break;
      case OpCode.create2:
        results.push({ op: 'create2', path: r.path('Create2Response.path'), stat: readStat(r) });
        break;
      case OpCode.delete:
        results.push({ op: 'delete' });
        break;
      case OpCode.check:
        results.push({ op: 'check' });
        break;
      case OpCode.setData:
        results.push({ op: 'setData', stat: readStat(r) });
        break;
      case OpCode.getData:
        results.push({ op: 'getData', data: r.buffer('GetDataResponse.data'), stat: readStat(r) });
        break;
      case OpCode.getChildren:
        results.push({ op: 'getChildren', children: r.strings('GetChildrenResponse.children') });
        break;
      case OpCode.error:
        results.push({ op: 'error', err: r.int('ErrorResponse.err') });
        break;
      default:
        throw new ProtocolError(`unknown multi result type ${h.type}`, `${r.what}.MultiHeader.type`, r.offset - 9);
    }
  }
}
