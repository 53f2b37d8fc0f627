#!/usr/bin/python3
"""Lock-benchmark runner for kazoo's Lock recipe (bench/lock/protocol.ts).

Run with Debian's interpreter, which has python3-kazoo:
    /usr/bin/python3 kazoo_lock_bench.py '<RunnerConfig JSON>'

One KazooClient (one ZooKeeper session) per contender, one Lock(lockPath, identifier) and one
platform thread per session; stock kazoo code paths everywhere except how the fencing token is read:

Fencing token. kazoo's Lock creates its node with client.create(...), which sends a plain `create`
(opcode 1); the reply carries only the path, so the czxid is not known without another request. Each
session's client gets an instance-level wrapper around `create` that, for this lock's node only, asks
for the same create with include_data=True: kazoo then sends `create2` (opcode 15), the same single
round trip whose reply also carries the new node's Stat. The wrapper keeps the czxid and hands the Lock
the path exactly as before. Cost: no extra round trip; the reply is one Stat (68 bytes) longer and
kazoo deserialises it. Only if the held node is not the one the wrapper saw created (a retry after a
connection loss found its node with _find_node/get_children) is the czxid read with exists() while
holding; such reads are counted in notes.tokenFallbackReads.
"""

import json
import os
import sys
import threading
import time
import traceback

START_TIMEOUT_S = 600.0


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def epoch_us():
    return time.time_ns() // 1000


class Contender(object):
    def __init__(self):
        self.lat_us = []
        self.holds = []
        self.errors = 0
        self.fallback_reads = 0
        self.fatal = None


class TokenCapture(object):
    """Wraps one client's create so the lock's create returns its Stat (create2) at no extra cost."""

    def __init__(self, client):
        self.client = client
        self.create_path = None  # set once the Lock exists
        self.last_path = None
        self.last_czxid = 0
        original = client.create

        def create(path, value=b"", acl=None, ephemeral=False, sequence=False,
                   makepath=False, include_data=False):
            if path == self.create_path and not include_data:
                real_path, stat = original(path, value, acl, ephemeral, sequence, makepath,
                                           include_data=True)
                self.last_path = real_path
                self.last_czxid = stat.czxid
                return real_path
            return original(path, value, acl, ephemeral, sequence, makepath,
                            include_data=include_data)

        client.create = create  # instance attribute: shadows KazooClient.create for this client only


def parse_config(argv):
    if len(argv) != 2:
        raise ValueError("usage: kazoo_lock_bench.py '<RunnerConfig JSON>'")
    cfg = json.loads(argv[1])
    for key in ("connect", "lockPath"):
        if not isinstance(cfg.get(key), str):
            raise ValueError("config.%s must be a string" % key)
    for key in ("sessions", "holdMs", "warmupMs", "measureMs", "sessionTimeoutMs"):
        if not isinstance(cfg.get(key), (int, float)) or isinstance(cfg.get(key), bool):
            raise ValueError("config.%s must be a number" % key)
    if cfg["sessions"] < 1:
        raise ValueError("sessions must be >= 1")
    return cfg


def wait_for_start():
    got = threading.Event()
    eof = threading.Event()

    def reader():
        try:
            for line in sys.stdin:
                if line.strip() == "START":
                    got.set()
                    return
        except Exception:
            pass
        eof.set()

    t = threading.Thread(target=reader, name="stdin", daemon=True)
    t.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not got.is_set():
        if eof.is_set():
            raise RuntimeError("stdin closed before START")
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError("no START within %d s" % START_TIMEOUT_S)
        got.wait(min(left, 0.5))


def run(cfg, clients):
    from kazoo.client import KazooClient
    import kazoo

    impl = cfg.get("impl", "kazoo")
    sessions = int(cfg["sessions"])
    hold_s = float(cfg["holdMs"]) / 1000.0
    warmup_ns = int(cfg["warmupMs"] * 1_000_000)
    measure_ns = int(cfg["measureMs"] * 1_000_000)
    timeout_s = float(cfg["sessionTimeoutMs"]) / 1000.0
    worker = cfg.get("worker", 0)

    captures = []
    for _ in range(sessions):
        c = KazooClient(hosts=cfg["connect"], timeout=timeout_s)
        clients.append(c)
        captures.append(TokenCapture(c))
    for c in clients:
        c.start(timeout=60)

    locks = []
    for k, c in enumerate(clients):
        lock = c.Lock(cfg["lockPath"], "w%s-s%d" % (worker, k))
        captures[k].create_path = lock.create_path
        locks.append(lock)

    contenders = [Contender() for _ in range(sessions)]
    count = [0]
    count_lock = threading.Lock()

    out("READY")
    wait_for_start()

    start_ns = time.monotonic_ns()
    measure_start_ns = start_ns + warmup_ns
    measure_end_ns = measure_start_ns + measure_ns

    def loop(k):
        lock, client, cap, me = locks[k], clients[k], captures[k], contenders[k]
        try:
            while True:
                t0 = time.monotonic_ns()
                if t0 >= measure_end_ns:
                    break
                try:
                    lock.acquire()
                except Exception:
                    me.errors += 1
                    time.sleep(0.01)
                    continue
                t_a = time.monotonic_ns()
                hold_start = epoch_us()
                held = lock.node and (lock.path + "/" + lock.node)
                if held and held == cap.last_path and cap.last_czxid:
                    token = str(cap.last_czxid)
                else:
                    me.fallback_reads += 1
                    st = client.exists(held) if held else None
                    token = str(st.czxid) if st else "0"
                if hold_s > 0:
                    time.sleep(hold_s)
                hold_end = epoch_us()
                try:
                    lock.release()
                except Exception:
                    me.errors += 1
                if t0 >= measure_start_ns:
                    me.lat_us.append((t_a - t0) // 1000)
                    me.holds.append([token, "w", hold_start, hold_end])
                    with count_lock:
                        count[0] += 1
        except BaseException as e:  # noqa: BLE001 - reported as ERROR by the main thread
            me.fatal = "%s: %s" % (type(e).__name__, e)
            traceback.print_exc(file=sys.stderr)

    threads = [threading.Thread(target=loop, args=(k,), name="contender-%d" % k, daemon=True)
               for k in range(sessions)]
    for t in threads:
        t.start()

    left = measure_start_ns - time.monotonic_ns()
    while left > 0:
        time.sleep(min(left / 1e9, 0.05))
        left = measure_start_ns - time.monotonic_ns()
    cpu0 = time.process_time_ns()
    out("MEASURE")

    drain_s = 60.0 + 3 * timeout_s + 2 * sessions * (hold_s + 0.1)
    deadline_ns = measure_end_ns + int(drain_s * 1e9)
    for t in threads:
        while True:
            t.join(0.25)
            if not t.is_alive():
                break
            if time.monotonic_ns() >= deadline_ns:
                alive = sum(1 for x in threads if x.is_alive())
                raise RuntimeError("%d contender(s) still running %.0f s after the measure window ended"
                                   % (alive, drain_s))
            out("PROGRESS %d" % count[0])
    cpu1 = time.process_time_ns()
    wall1 = time.monotonic_ns()
    out("DONE")

    for k, me in enumerate(contenders):
        if me.fatal:
            raise RuntimeError("contender %d failed: %s" % (k, me.fatal))

    latencies, holds = [], []
    for me in contenders:
        latencies.extend(me.lat_us)
        holds.extend(me.holds)
    result = {
        "impl": impl,
        "acquisitions": len(holds),
        "latenciesUs": latencies,
        "holds": holds,
        "cpuUs": (cpu1 - cpu0) // 1000,
        "measuredMs": round((wall1 - measure_start_ns) / 1e6, 3),
        "errors": sum(me.errors for me in contenders),
        "notes": {
            "library": "kazoo %s Lock" % getattr(kazoo, "__version__", "unknown"),
            "runtime": "Python %s (%s)" % (sys.version.split()[0], sys.executable),
            "threads": "platform (threading), one per session; kazoo threading handler",
            "token": "czxid from the lock node's create sent as create2 (include_data): same round trip, "
                     "+1 Stat in the reply",
            "extraReadsPerAcquisition": "0",
            "tokenFallbackReads": str(sum(me.fallback_reads for me in contenders)),
        },
    }
    out("RESULT " + json.dumps(result, separators=(",", ":")))


def main():
    clients = []
    try:
        cfg = parse_config(sys.argv)
        run(cfg, clients)
    except BaseException as e:  # noqa: BLE001
        msg = ("%s: %s" % (type(e).__name__, e)).replace("\n", " ")
        out("ERROR " + msg)
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
        os._exit(1)  # do not wait on sessions or contender threads
    for c in clients:
        try:
            c.stop()
            c.close()
        except Exception:
            pass
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
