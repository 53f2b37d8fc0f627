#!/usr/bin/python3
"""Lock-benchmark runner for kazoo's Lock recipe, protocol version 2 (bench/lock/protocol.ts).

Run with Debian's interpreter, which has python3-kazoo, and no argument:
    /usr/bin/python3 -u -B kazoo_lock_bench.py
then write `CELL <RunnerConfig JSON>`, START, QUIESCE, GO, CLOSE (one cell after another), EXIT.

The process serves one cell after another. Per cell (opened on CELL, closed on CLOSE): one KazooClient
(one ZooKeeper session), one Lock(lockPath, identifier), one TCP connection (TCP_NODELAY) to the fenced
store and one platform thread per contender; stock kazoo code paths everywhere except how the fencing
token is read:

Fencing token. kazoo's Lock creates its node with client.create(...), which sends a plain `create`
(opcode 1); the reply carries only the path, so the czxid is not known without another request. Each
session's client gets an instance-level wrapper around `create` that, for this lock's node only, asks
for the same create with include_data=True: kazoo then sends `create2` (opcode 15), the same single
round trip whose reply also carries the new node's Stat. The wrapper keeps the czxid and hands the Lock
the path exactly as before. Cost: no extra round trip; the reply is one Stat (68 bytes) longer and
kazoo deserialises it. Only if the held node is not the one the wrapper saw created (a retry after a
connection loss found its node with _find_node/get_children) is the czxid read with exists() while
holding; such reads are counted in notes.tokenFallbackReads.

Critical section (protocol.ts): `E <lockPath> <token> w <worker>-<k>` -> OK | STALE (STALE counted in
staleWrites), sleep holdMs, `X <lockPath> <token> <worker>-<k>` -> OK, then release. The hold recorded
runs from acquire's return to the X reply (epoch microseconds, time.time_ns() // 1000).

Session expiry needs nothing here: kazoo itself opens a new session after one expired (KazooState LOST,
then CONNECTED), and Lock.acquire retries over it (KazooRetry without a limit). The LOST events are
counted as notes.sessionsReplaced, the figure the Node runners report when they replace a session.

stdout carries only protocol lines (written under a lock, flushed each); sys.stdout is pointed at stderr
so that nothing else (kazoo's logging, a stray print) can reach the orchestrator.
"""

import json
import logging
import os
import socket
import sys
import threading
import time
import traceback

# The protocol's stdout; everything else printing to sys.stdout ends up on stderr.
_OUT = sys.stdout
sys.stdout = sys.stderr

PROGRESS_INTERVAL_S = 0.1
CONNECT_TIMEOUT_S = 60.0        # all sessions of a cell connected
STORE_TIMEOUT_S = 30.0          # connect to the store, and each reply from it
MAX_CONSECUTIVE_ERRORS = 50     # failed acquires in a row that fail the cell
ERROR_PAUSE_S = 0.01            # after a failed acquire / release
RELEASE_ATTEMPTS = 50
CLOSE_BOUND_S = 30.0            # closing a cell's sessions (plus the session timeout)
EXIT_CLOSE_BOUND_S = 10.0       # closing sessions on EXIT / stdin's end / ERROR

READY, WARM, QUIESCE, IDLE, MEASURE, DONE, CLOSING = (
    "ready", "warm", "quiesce", "idle", "measure", "done", "closing")


# ---------------------------------------------------------------------------------------------------
# Output and termination


_out_lock = threading.Lock()
_out_dead = [False]       # after ERROR (or a broken stdout) nothing more is written
_term_lock = threading.Lock()
_current = [None]         # the open cell, closed (bounded) on the way out


def out(line):
    with _out_lock:
        if _out_dead[0]:
            return
        try:
            _OUT.write(line + "\n")
            _OUT.flush()
            return
        except (OSError, ValueError):
            _out_dead[0] = True  # nobody is listening any more
    terminate(1)


def fail(message):
    """Prints `ERROR <message>` (once, one line), closes what is open (bounded) and exits 1."""
    message = " ".join(str(message).split()) or "unknown error"
    with _out_lock:
        if not _out_dead[0]:
            _out_dead[0] = True
            try:
                _OUT.write("ERROR " + message + "\n")
                _OUT.flush()
            except (OSError, ValueError):
                pass
    sys.stderr.write("kazoo runner: ERROR %s\n" % message)
    terminate(1)


def terminate(code):
    """Closes the open cell's sessions (bounded) and exits with `code`; never returns."""
    if not _term_lock.acquire(False):
        # Another thread is already on its way out: it exits within its bound.
        time.sleep(EXIT_CLOSE_BOUND_S + 30)
        os._exit(code)
    try:
        cell = _current[0]
        if cell is not None:
            cell.abort(EXIT_CLOSE_BOUND_S)
    except BaseException:  # noqa: BLE001 - on the way out anyway
        traceback.print_exc(file=sys.stderr)
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)  # do not wait on contender or kazoo threads


def epoch_us():
    return time.time_ns() // 1000


def describe(e):
    text = str(e)
    return "%s: %s" % (type(e).__name__, text) if text else type(e).__name__


def run_bounded(fns, bound_s, name):
    """Runs each fn in its own daemon thread; returns how many had not finished after bound_s."""
    threads = [threading.Thread(target=fn, name="%s-%d" % (name, i), daemon=True) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + bound_s
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    return sum(1 for t in threads if t.is_alive())


# ---------------------------------------------------------------------------------------------------
# Config


def parse_config(text):
    cfg = json.loads(text)
    if not isinstance(cfg, dict):
        raise ValueError("CELL: the config must be a JSON object")
    for key in ("connect", "lockPath", "store"):
        if not isinstance(cfg.get(key), str) or cfg.get(key) == "":
            raise ValueError("config.%s must be a non-empty string" % key)
    for key in ("sessions", "holdMs", "measureMs", "sessionTimeoutMs"):
        v = cfg.get(key)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
            raise ValueError("config.%s must be a non-negative number" % key)
    if int(cfg["sessions"]) != cfg["sessions"] or cfg["sessions"] < 1:
        raise ValueError("config.sessions must be an integer >= 1")
    host, sep, port = cfg["store"].rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError("config.store must be host:port, got %r" % cfg["store"])
    return cfg


# ---------------------------------------------------------------------------------------------------
# Fencing token capture (see the module docstring)


class TokenCapture(object):
    """Wraps one client's create so each lock's create returns its Stat (create2) at no extra cost.

    Keyed by the Lock's create_path (unique per Lock object: kazoo puts a fresh uuid in it), so the
    Locks of several threads sharing one client (config.shareSession) each read their own czxid.
    """

    def __init__(self, client):
        self.client = client
        self.records = {}
        original = client.create

        def create(path, value=b"", acl=None, ephemeral=False, sequence=False,
                   makepath=False, include_data=False):
            rec = self.records.get(path)
            if rec is not None and not include_data:
                real_path, stat = original(path, value, acl, ephemeral, sequence, makepath,
                                           include_data=True)
                rec.last_path = real_path
                rec.last_czxid = stat.czxid
                return real_path
            return original(path, value, acl, ephemeral, sequence, makepath,
                            include_data=include_data)

        client.create = create  # instance attribute: shadows KazooClient.create for this client only

    def register(self, create_path):
        rec = CapturedCreate()
        self.records[create_path] = rec
        return rec


class CapturedCreate(object):
    """The last create of one Lock: its node's path and czxid."""

    def __init__(self):
        self.last_path = None
        self.last_czxid = 0


# ---------------------------------------------------------------------------------------------------
# The fenced store connection


class StoreError(Exception):
    pass


class StoreConnection(object):
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        try:
            self.sock = socket.create_connection((host, int(port)), timeout=STORE_TIMEOUT_S)
        except OSError as e:
            raise StoreError("cannot connect to the fenced store %s: %s" % (address, describe(e)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(STORE_TIMEOUT_S)
        self.rfile = self.sock.makefile("rb")

    def call(self, line):
        """Sends one request line, returns the reply line without its newline."""
        self.sock.sendall(line)
        reply = self.rfile.readline(256)
        if not reply.endswith(b"\n"):
            raise StoreError("the store closed the connection" if not reply else "bad store reply %r" % reply)
        return reply.rstrip(b"\r\n")

    def close(self):
        for f in (self.rfile.close, lambda: self.sock.shutdown(socket.SHUT_RDWR), self.sock.close):
            try:
                f()
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------------
# One cell


class Contender(object):
    def __init__(self, k):
        self.k = k
        self.client = None
        self.capture = None
        self.tokens = None
        self.lock = None
        self.store = None
        self.thread = None
        # Written by its own thread only; read by the progress thread and, after DONE, the main thread.
        self.warm_done = 0
        self.measured_done = 0
        self.lat_us = []
        self.holds = []
        self.errors = 0
        self.stale = 0
        self.sessions_lost = 0  # written by this contender's client's event thread only
        self.fallback_reads = 0
        # Under Cell.cv.
        self.idle = False
        self.stopped = False
        self.stop_ns = 0


class Cell(object):
    def __init__(self, cfg):
        self.cfg = cfg
        self.impl = cfg.get("impl", "kazoo")
        self.n = int(cfg["sessions"])
        self.hold_s = float(cfg["holdMs"]) / 1000.0
        self.measure_ns = int(float(cfg["measureMs"]) * 1_000_000)
        self.timeout_s = float(cfg["sessionTimeoutMs"]) / 1000.0
        self.worker = cfg.get("worker", 0)
        self.lock_id = cfg["lockPath"]
        self.share = bool(cfg.get("shareSession", False))
        self.drain_s = 60.0 + 3 * self.timeout_s + 2 * self.n * (self.hold_s + 0.1)

        self.cv = threading.Condition()
        self.phase = READY
        self.closing = False
        self.n_idle = 0
        self.n_stopped = 0
        self.go_ns = 0
        self.contenders = [Contender(k) for k in range(self.n)]
        self.progress_stop = None
        self.progress_thread = None

    # --- CELL ---------------------------------------------------------------------------------------

    def open(self):
        from kazoo.client import KazooClient

        for c in self.contenders:
            c.store = StoreConnection(self.cfg["store"])
        # config.shareSession: one KazooClient for every contender thread of this process, as an
        # application with many threads would use kazoo; otherwise one client (session) per contender.
        owners = self.contenders[:1] if self.share else self.contenders
        for c in owners:
            c.client = KazooClient(hosts=self.cfg["connect"], timeout=self.timeout_s)
            c.client.add_listener(self.lost_counter(c))
            c.tokens = TokenCapture(c.client)
        events = [c.client.start_async() for c in owners]
        deadline = time.monotonic() + CONNECT_TIMEOUT_S
        for c, ev in zip(owners, events):
            ev.wait(max(0.0, deadline - time.monotonic()))
            if not c.client.connected:
                raise RuntimeError("session %d not connected to %s within %d s"
                                   % (c.k, self.cfg["connect"], CONNECT_TIMEOUT_S))
        for c in self.contenders:
            owner = owners[0] if self.share else c
            c.client, c.tokens = owner.client, owner.tokens
            c.lock = c.client.Lock(self.lock_id, "w%s-s%d" % (self.worker, c.k))
            c.capture = c.tokens.register(c.lock.create_path)
        for c in self.contenders:
            c.thread = threading.Thread(target=self.contender_main, args=(c,),
                                        name="contender-%d" % c.k, daemon=True)
            c.thread.start()

    @staticmethod
    def lost_counter(c):
        from kazoo.protocol.states import KazooState

        def listener(state):
            if state == KazooState.LOST:
                c.sessions_lost += 1
            return False  # stay registered

        return listener

    # --- contender side -----------------------------------------------------------------------------

    def next_step(self, c):
        """Returns (measured, t0) for the next acquisition, or None once the cell closes."""
        ph = self.phase  # fast path without the lock: a plain attribute read
        if ph == WARM and not c.idle:
            return False, time.monotonic_ns()
        if ph == MEASURE and not c.idle and not c.stopped:
            t0 = time.monotonic_ns()
            if t0 - self.go_ns < self.measure_ns:
                return True, t0
        with self.cv:
            while True:
                ph = self.phase
                if ph == CLOSING:
                    return None
                if ph == WARM:
                    self.set_idle(c, False)
                    return False, time.monotonic_ns()
                if ph == MEASURE and not c.stopped:
                    t0 = time.monotonic_ns()
                    if t0 - self.go_ns < self.measure_ns:
                        self.set_idle(c, False)
                        return True, t0
                    c.stopped = True
                    c.stop_ns = t0
                    self.n_stopped += 1
                    self.cv.notify_all()
                # READY, QUIESCE, IDLE, MEASURE once stopped, DONE: wait for the next command.
                self.set_idle(c, True)
                self.cv.wait(1.0)

    def set_idle(self, c, idle):
        if c.idle != idle:
            c.idle = idle
            self.n_idle += 1 if idle else -1
            self.cv.notify_all()

    def contender_main(self, c):
        try:
            self.contender_loop(c)
        except BaseException as e:  # noqa: BLE001 - the cell fails, unless it is closing anyway
            if self.closing:
                return
            traceback.print_exc(file=sys.stderr)
            fail("contender %d: %s" % (c.k, describe(e)))

    def contender_loop(self, c):
        lock, client, cap, store = c.lock, c.client, c.capture, c.store
        lock_id = self.lock_id
        holder = "%s-%d" % (self.worker, c.k)
        hold_s = self.hold_s
        consecutive_errors = 0
        while True:
            step = self.next_step(c)
            if step is None:
                return
            measured, t0 = step
            try:
                got = lock.acquire()
            except Exception as e:  # noqa: BLE001
                got = False
                last = describe(e)
            else:
                last = "acquire returned False"
            if not got:
                if self.closing:
                    return
                c.errors += 1
                consecutive_errors += 1
                if consecutive_errors >= MAX_CONSECUTIVE_ERRORS:
                    raise RuntimeError("%d consecutive acquire errors, last: %s" % (consecutive_errors, last))
                time.sleep(ERROR_PAUSE_S)
                continue
            consecutive_errors = 0
            t_a = time.monotonic_ns()
            hold_start = epoch_us()
            held = lock.node and (lock.path + "/" + lock.node)
            if held and held == cap.last_path and cap.last_czxid:
                token = str(cap.last_czxid)
            else:
                c.fallback_reads += 1
                st = client.exists(held) if held else None
                if st is None:
                    raise RuntimeError("holding, but the lock node %r is not there" % (held,))
                token = str(st.czxid)

            reply = store.call(("E %s %s w %s\n" % (lock_id, token, holder)).encode())
            if reply == b"STALE":
                c.stale += 1
            elif reply != b"OK":
                raise StoreError("store answered %r to E" % reply)
            if hold_s > 0:
                time.sleep(hold_s)
            reply = store.call(("X %s %s %s\n" % (lock_id, token, holder)).encode())
            if reply != b"OK":
                raise StoreError("store answered %r to X" % reply)
            hold_end = epoch_us()

            self.release(c, lock)
            if measured:
                c.lat_us.append((t_a - t0) // 1000)
                c.holds.append([token, "w", hold_start, hold_end])
                c.measured_done += 1
            else:
                c.warm_done += 1

    def release(self, c, lock):
        last = None
        for _ in range(RELEASE_ATTEMPTS):
            try:
                lock.release()
                return
            except Exception as e:  # noqa: BLE001
                if self.closing:
                    raise
                c.errors += 1
                last = e
                time.sleep(ERROR_PAUSE_S)
        raise RuntimeError("release failed %d times, last: %s" % (RELEASE_ATTEMPTS, describe(last)))

    # --- commands -----------------------------------------------------------------------------------

    def expect(self, command, *phases):
        if self.phase not in phases:
            raise RuntimeError("%s in state %s" % (command, self.phase))

    def start(self):
        self.expect("START", READY)
        with self.cv:
            self.phase = WARM
            self.cv.notify_all()
        self.progress_stop = threading.Event()
        self.progress_thread = threading.Thread(target=self.progress_main, args=(self.progress_stop,),
                                                name="progress", daemon=True)
        self.progress_thread.start()

    def progress_main(self, stop):
        while not stop.wait(PROGRESS_INTERVAL_S):
            if self.phase in (MEASURE, DONE):
                n = sum(c.measured_done for c in self.contenders)
            else:
                n = sum(c.warm_done for c in self.contenders)
            if stop.is_set():
                return
            out("PROGRESS %d" % n)

    def stop_progress(self):
        if self.progress_stop is not None:
            self.progress_stop.set()
            self.progress_thread.join(5.0)
            self.progress_stop = None
            self.progress_thread = None

    def wait_until(self, predicate, bound_s, what):
        """Waits on cv (held by the caller) until predicate() holds, at most bound_s."""
        deadline = time.monotonic() + bound_s
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(what)
            self.cv.wait(min(left, 1.0))

    def quiesce(self):
        self.expect("QUIESCE", WARM)
        with self.cv:
            self.phase = QUIESCE
            self.cv.notify_all()
            self.wait_until(lambda: self.n_idle == self.n, self.drain_s,
                            "QUIESCE: %d of %d contender(s) still busy after %.0f s"
                            % (self.n - self.n_idle, self.n, self.drain_s))
            self.phase = IDLE
        out("IDLE")

    def go(self):
        self.expect("GO", IDLE)
        cpu0 = time.process_time_ns()
        with self.cv:
            self.go_ns = time.monotonic_ns()
            self.phase = MEASURE
            self.cv.notify_all()
            bound_s = self.measure_ns / 1e9 + self.drain_s
            self.wait_until(lambda: self.n_stopped == self.n, bound_s,
                            "GO: %d of %d contender(s) still running %.0f s after GO"
                            % (self.n - self.n_stopped, self.n, bound_s))
            self.phase = DONE
        self.stop_progress()
        cpu1 = time.process_time_ns()
        out("DONE")
        out("RESULT " + json.dumps(self.result(cpu1 - cpu0), separators=(",", ":")))

    def result(self, cpu_ns):
        import kazoo.version

        cs = self.contenders
        latencies, holds = [], []
        for c in cs:
            latencies.extend(c.lat_us)
            holds.extend(c.holds)
        last_stop = max(c.stop_ns for c in cs)
        return {
            "impl": self.impl,
            "acquisitions": len(holds),
            "latenciesUs": latencies,
            "holds": holds,
            "cpuUs": cpu_ns // 1000,
            "measuredMs": round((last_stop - self.go_ns) / 1e6, 3),
            "errors": sum(c.errors for c in cs),
            "staleWrites": sum(c.stale for c in cs),
            "notes": {
                "library": "kazoo %s Lock" % kazoo.version.__version__,
                "runtime": "Python %s (%s)" % (sys.version.split()[0], sys.executable),
                "threads": "platform (threading), one per session; kazoo threading handler",
                "token": "czxid from the lock node's create sent as create2 (include_data): same round trip, "
                         "+1 Stat in the reply",
                "extraReadsPerAcquisition": "0",
                "tokenFallbackReads": str(sum(c.fallback_reads for c in cs)),
                "counting": "errors and staleWrites: the whole cell (warm-up included); the rest: the window",
                "sessionsReplaced": str(sum(c.sessions_lost for c in cs)),
            },
        }

    def close(self):
        """CLOSE: stops the contenders, closes sessions and store connections (bounded)."""
        with self.cv:
            self.closing = True
            self.phase = CLOSING
            self.cv.notify_all()
        self.stop_progress()
        # Normally every contender is idle (after DONE) and leaves at once; after an aborted warm-up let
        # the acquisitions under way finish before their sessions go.
        self.join_contenders(10.0 + 2 * self.hold_s)
        left = self.close_sessions(CLOSE_BOUND_S + self.timeout_s)
        self.close_stores()
        if left:
            raise RuntimeError("CLOSE: %d session(s) not closed within %.0f s" % (left, CLOSE_BOUND_S + self.timeout_s))
        busy = self.join_contenders(5.0)
        if busy:
            raise RuntimeError("CLOSE: %d contender thread(s) did not stop" % busy)

    def abort(self, bound_s):
        """On the way out (EXIT, stdin's end, ERROR): close everything within about bound_s."""
        self.closing = True
        with self.cv:
            self.phase = CLOSING
            self.cv.notify_all()
        if self.progress_stop is not None:
            self.progress_stop.set()
        self.close_sessions(bound_s)
        self.close_stores()

    def join_contenders(self, bound_s):
        deadline = time.monotonic() + bound_s
        for c in self.contenders:
            if c.thread is not None:
                c.thread.join(max(0.0, deadline - time.monotonic()))
        return sum(1 for c in self.contenders if c.thread is not None and c.thread.is_alive())

    def close_sessions(self, bound_s):
        def closer(client):
            def run():
                try:
                    client.stop()
                    client.close()
                except Exception:  # noqa: BLE001
                    traceback.print_exc(file=sys.stderr)
            return run

        clients = []
        for c in self.contenders:
            if c.client is not None and all(c.client is not x for x in clients):
                clients.append(c.client)
        for c in self.contenders:
            c.client = None
        return run_bounded([closer(cl) for cl in clients], bound_s, "close") if clients else 0

    def close_stores(self):
        for c in self.contenders:
            if c.store is not None:
                c.store.close()
                c.store = None


# ---------------------------------------------------------------------------------------------------
# Main: one command line at a time


def serve():
    stdin = sys.stdin.buffer
    while True:
        raw = stdin.readline()
        if not raw:
            return  # stdin's end
        line = raw.decode("utf-8", "replace").strip()
        if not line:
            continue
        command, _, arg = line.partition(" ")
        cell = _current[0]
        if command == "CELL":
            if cell is not None:
                raise RuntimeError("CELL while a cell is open")
            cell = Cell(parse_config(arg))
            _current[0] = cell
            cell.open()
            out("READY")
        elif command == "EXIT":
            return
        elif command in ("START", "QUIESCE", "GO", "CLOSE"):
            if cell is None:
                raise RuntimeError("%s without an open cell" % command)
            if command == "START":
                cell.start()
            elif command == "QUIESCE":
                cell.quiesce()
            elif command == "GO":
                cell.go()
            else:
                cell.close()
                _current[0] = None
                out("CLOSED")
        elif command == "FLOOR":
            raise RuntimeError("FLOOR is not supported by the kazoo runner")
        else:
            raise RuntimeError("unknown command %r" % command[:40])


def main():
    # kazoo logs through `logging`: to stderr, warnings and worse only.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="kazoo runner %(levelname)s %(name)s: %(message)s")
    try:
        serve()
    except BaseException as e:  # noqa: BLE001
        traceback.print_exc(file=sys.stderr)
        fail(describe(e))
    terminate(0)  # EXIT or stdin's end: close what is open (bounded), exit 0


if __name__ == "__main__":
    main()
