/*
 * Lock-benchmark runner for Apache Curator's InterProcessMutex (bench/lock/protocol.ts, version 2).
 *
 * Single file, no build tool: bench/lock/runners/launch.ts compiles it with
 *   javac -cp <curator + zookeeper jars> -d <tmp> CuratorLockBench.java
 * and runs
 *   java -cp <tmp>:<same jars> CuratorLockBench
 * with no argument. The process lives for a whole run and serves one cell after another from the lines
 * on its stdin (CELL <json>, START, QUIESCE, GO, CLOSE, FLOOR <json>, EXIT; stdin's end = EXIT), so the
 * JIT stays warm from one cell to the next, as in a long-running service.
 *
 * Per cell: one CuratorFramework (one ZooKeeper session), one InterProcessMutex, one TCP connection to
 * the fenced store and one platform thread per contender, all opened on CELL and closed on CLOSE. Stock
 * Curator code paths everywhere; the only addition is how the fencing token is read:
 *
 * Fencing token. Curator's foreground create always calls ZooKeeper.create(path, data, acl, mode, Stat,
 * ttl), which sends OpCode.create2 and receives the new node's Stat in the create response whether or
 * not the caller asks for it. The driver below is StandardLockInternalsDriver with the same create
 * builder chain plus storingStatIn(stat), so the czxid the server already sent is copied out instead of
 * dropped: same request, same response, no extra round trip. The held node's path comes from
 * InterProcessMutex#getLockPath() (protected; exposed by a subclass, no reflection) and is checked
 * against the path the driver created. Only if they differ (a protected-mode retry found its node with
 * getChildren after a connection loss, so no create response exists) is the czxid read with
 * checkExists() while holding; such reads are counted in notes.tokenFallbackReads.
 *
 * FLOOR measures the server's floor with the plain ZooKeeper Java client (not Curator), the same
 * operations as bench/lock/server-floor.ts does with zkts's client.
 *
 * Session expiry needs nothing here: Curator itself replaces an expired session (a new ZooKeeper handle,
 * ConnectionState LOST then RECONNECTED), and an InterProcessMutex goes on over the new one. The LOST
 * events are counted as notes.sessionsReplaced, the figure the Node runners report when they replace one.
 */

import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.StandardLockInternalsDriver;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

public final class CuratorLockBench {
    // ---------------------------------------------------------------------------------------------
    // Bounds

    /** Consecutive failed acquisitions after which a contender fails the cell (a dead session, not a hiccup). */
    private static final int MAX_CONSECUTIVE_ERRORS = 50;
    /** Waiting for the next command while a cell is open (the orchestrator died or forgot us): then ERROR. */
    private static final long COMMAND_TIMEOUT_IN_CELL_MS = 10 * 60_000L;
    /** Waiting for the next command between cells: then exit 0, as on stdin's end. */
    private static final long COMMAND_TIMEOUT_IDLE_MS = 60 * 60_000L;
    /** Opening a cell's sessions (all of them together). */
    private static final long CONNECT_TIMEOUT_MS = 60_000L;
    /** Connecting to the fenced store, and waiting for one of its answers. */
    private static final int STORE_TIMEOUT_MS = 30_000;
    /** Closing sessions and connections (all of them together). */
    private static final long CLOSE_TIMEOUT_MS = 10_000L;
    /** Everything on EXIT / stdin's end, after which the process halts whatever is still closing. */
    private static final long EXIT_TIMEOUT_MS = 20_000L;
    /** FLOOR: connecting, one sync, one notification. */
    private static final long FLOOR_STEP_TIMEOUT_MS = 30_000L;
    private static final long PROGRESS_EVERY_NS = 100_000_000L;

    // ---------------------------------------------------------------------------------------------
    // Output: one line at a time, never anything after ERROR.

    private static final PrintStream OUT = new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8);
    private static final Object OUT_LOCK = new Object();
    /** Guarded by OUT_LOCK: ERROR printed, nothing more goes out. */
    private static boolean silenced;
    /** Guarded by OUT_LOCK: the counter PROGRESS reports, or null when no PROGRESS is due. */
    private static AtomicLong progressCounter;
    /** Guarded by OUT_LOCK: when the next PROGRESS is due (System.nanoTime()). */
    private static long nextProgressNs;

    static void emit(String line) {
        synchronized (OUT_LOCK) {
            if (silenced) return;
            OUT.print(line);
            OUT.print('\n');
            OUT.flush();
        }
    }

    /**
     * Switches PROGRESS to `counter` (null: off; else the first one ~100 ms from now) and then prints
     * `line` (if any) under the same lock, so no PROGRESS comes between an IDLE/DONE and what follows.
     */
    static void progress(AtomicLong counter, String line) {
        synchronized (OUT_LOCK) {
            progressCounter = counter;
            nextProgressNs = System.nanoTime() + PROGRESS_EVERY_NS;
            if (line != null && !silenced) {
                OUT.print(line);
                OUT.print('\n');
                OUT.flush();
            }
            OUT_LOCK.notifyAll();
        }
    }

    /** The PROGRESS ticker: sleeps on OUT_LOCK while PROGRESS is off. */
    private static void progressLoop() {
        synchronized (OUT_LOCK) {
            while (true) {
                try {
                    if (progressCounter == null) {
                        OUT_LOCK.wait();
                        continue;
                    }
                    long now = System.nanoTime();
                    long left = nextProgressNs - now;
                    if (left > 0) {
                        TimeUnit.NANOSECONDS.timedWait(OUT_LOCK, left);
                        continue;
                    }
                    if (!silenced) {
                        OUT.print("PROGRESS " + progressCounter.get() + "\n");
                        OUT.flush();
                    }
                    nextProgressNs += PROGRESS_EVERY_NS;
                    if (nextProgressNs - now <= 0) nextProgressNs = now + PROGRESS_EVERY_NS;
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Failure and exit

    /** Everything open that must be closed on the way out: sessions, ZooKeeper handles, store sockets. */
    private static final Set<Closeable> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean ENDING = new AtomicBoolean();
    /** Set on EXIT / stdin's end: failures from here on are the closing itself, not worth an ERROR. */
    private static volatile boolean shuttingDown;

    /** Prints ERROR (once), closes what is open (bounded) and halts with 1. Callable from any thread. */
    static void fail(String message, Throwable t) {
        if (shuttingDown || !ENDING.compareAndSet(false, true)) {
            // The process is already on its way out.
            return;
        }
        synchronized (OUT_LOCK) {
            if (!silenced) {
                OUT.print("ERROR " + message.replace('\r', ' ').replace('\n', ' ') + "\n");
                OUT.flush();
            }
            silenced = true;
        }
        if (t != null) t.printStackTrace(System.err);
        System.err.flush();
        closeAll(new ArrayList<>(OPEN), CLOSE_TIMEOUT_MS / 2);
        Runtime.getRuntime().halt(1);
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** EXIT or stdin's end: close everything (bounded) and exit 0. */
    static void shutdown(Cell cell) {
        shuttingDown = true;
        if (!ENDING.compareAndSet(false, true)) return;
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(EXIT_TIMEOUT_MS);
            } catch (InterruptedException ignored) {
                // exit anyway
            }
            Runtime.getRuntime().halt(0);
        }, "exit-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        if (cell != null) cell.close(2000);
        closeAll(new ArrayList<>(OPEN), CLOSE_TIMEOUT_MS);
        synchronized (OUT_LOCK) {
            OUT.flush();
        }
        Runtime.getRuntime().halt(0);
    }

    /** Closes every item on its own thread, all at once; returns after all closed or `boundMs`. */
    static boolean closeAll(Collection<? extends Closeable> items, long boundMs) {
        List<Thread> threads = new ArrayList<>(items.size());
        for (Closeable c : items) {
            Thread t = new Thread(() -> {
                try {
                    c.close();
                } catch (Throwable ignored) {
                    // closing is best effort
                } finally {
                    OPEN.remove(c);
                }
            }, "close");
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMs);
        boolean all = true;
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) all = false;
        }
        return all;
    }

    // ---------------------------------------------------------------------------------------------
    // Token capture

    /** StandardLockInternalsDriver whose create also copies the Stat from the create2 response. */
    static final class StatCapturingDriver extends StandardLockInternalsDriver {
        /** Written and read only by the contender thread that owns this driver's mutex. */
        String lastPath;
        long lastCzxid;

        @Override
        public String createsTheLock(CuratorFramework client, String path, byte[] lockNodeBytes) throws Exception {
            // Same chain as StandardLockInternalsDriver.createsTheLock (5.4.0), plus storingStatIn.
            Stat stat = new Stat();
            String ourPath;
            if (lockNodeBytes != null) {
                ourPath = client.create().storingStatIn(stat).creatingParentContainersIfNeeded().withProtection()
                        .withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(path, lockNodeBytes);
            } else {
                ourPath = client.create().storingStatIn(stat).creatingParentContainersIfNeeded().withProtection()
                        .withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(path);
            }
            lastPath = ourPath;
            lastCzxid = stat.getCzxid();
            return ourPath;
        }
    }

    /** Exposes the protected getLockPath() (the held node's full path). */
    static final class TokenMutex extends InterProcessMutex {
        final StatCapturingDriver driver;

        TokenMutex(CuratorFramework client, String path, StatCapturingDriver driver) {
            super(client, path, driver);
            this.driver = driver;
        }

        String heldPath() {
            return getLockPath();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // JSON in: a small parser (objects, arrays, strings, numbers, booleans, null), no library needed.

    static Map<String, Object> parseObject(String s) {
        int[] i = {0};
        Object v = parseValue(s, i);
        skipWs(s, i);
        if (i[0] != s.length()) throw new IllegalArgumentException("trailing characters after JSON value");
        if (!(v instanceof Map)) throw new IllegalArgumentException("expected a JSON object");
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    private static Object parseValue(String s, int[] i) {
        skipWs(s, i);
        char c = peek(s, i);
        if (c == '{') {
            i[0]++;
            Map<String, Object> out = new LinkedHashMap<>();
            skipWs(s, i);
            if (peek(s, i) == '}') {
                i[0]++;
                return out;
            }
            while (true) {
                skipWs(s, i);
                String key = parseString(s, i);
                skipWs(s, i);
                expect(s, i, ':');
                out.put(key, parseValue(s, i));
                skipWs(s, i);
                char d = peek(s, i);
                i[0]++;
                if (d == '}') return out;
                if (d != ',') throw new IllegalArgumentException("expected , or } at " + (i[0] - 1));
            }
        }
        if (c == '[') {
            i[0]++;
            List<Object> out = new ArrayList<>();
            skipWs(s, i);
            if (peek(s, i) == ']') {
                i[0]++;
                return out;
            }
            while (true) {
                out.add(parseValue(s, i));
                skipWs(s, i);
                char d = peek(s, i);
                i[0]++;
                if (d == ']') return out;
                if (d != ',') throw new IllegalArgumentException("expected , or ] at " + (i[0] - 1));
            }
        }
        if (c == '"') return parseString(s, i);
        if (s.startsWith("true", i[0])) {
            i[0] += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("false", i[0])) {
            i[0] += 5;
            return Boolean.FALSE;
        }
        if (s.startsWith("null", i[0])) {
            i[0] += 4;
            return null;
        }
        int start = i[0];
        while (i[0] < s.length() && "+-0123456789.eE".indexOf(s.charAt(i[0])) >= 0) i[0]++;
        if (start == i[0]) throw new IllegalArgumentException("bad JSON value at " + start);
        return Double.parseDouble(s.substring(start, i[0]));
    }

    private static char peek(String s, int[] i) {
        if (i[0] >= s.length()) throw new IllegalArgumentException("unexpected end of JSON");
        return s.charAt(i[0]);
    }

    private static void skipWs(String s, int[] i) {
        while (i[0] < s.length() && Character.isWhitespace(s.charAt(i[0]))) i[0]++;
    }

    private static void expect(String s, int[] i, char c) {
        if (peek(s, i) != c) throw new IllegalArgumentException("expected '" + c + "' at " + i[0]);
        i[0]++;
    }

    private static String parseString(String s, int[] i) {
        expect(s, i, '"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = peek(s, i);
            i[0]++;
            if (c == '"') return b.toString();
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = peek(s, i);
            i[0]++;
            switch (e) {
                case '"': b.append('"'); break;
                case '\\': b.append('\\'); break;
                case '/': b.append('/'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'u':
                    if (i[0] + 4 > s.length()) throw new IllegalArgumentException("bad \\u escape");
                    b.append((char) Integer.parseInt(s.substring(i[0], i[0] + 4), 16));
                    i[0] += 4;
                    break;
                default: throw new IllegalArgumentException("bad escape \\" + e);
            }
        }
    }

    private static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (!(v instanceof String)) throw new IllegalArgumentException("config." + k + " must be a string");
        return (String) v;
    }

    private static long num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (!(v instanceof Double)) throw new IllegalArgumentException("config." + k + " must be a number");
        return Math.round((Double) v);
    }

    private static long numOr(Map<String, Object> m, String k, long dflt) {
        return m.get(k) == null ? dflt : num(m, k);
    }

    private static boolean bool(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (!(v instanceof Boolean)) throw new IllegalArgumentException("config." + k + " must be a boolean");
        return (Boolean) v;
    }

    // ---------------------------------------------------------------------------------------------
    // JSON out

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    /** Nanoseconds as microseconds with three decimals, e.g. 1234567 → 1234.567. */
    private static void appendMicros(StringBuilder b, long nanos) {
        if (nanos < 0) {
            b.append('-');
            nanos = -nanos;
        }
        long frac = nanos % 1000;
        b.append(nanos / 1000).append('.');
        if (frac < 100) b.append('0');
        if (frac < 10) b.append('0');
        b.append(frac);
    }

    private static void appendNotes(StringBuilder b, Map<String, String> notes) {
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : notes.entrySet()) {
            if (!first) b.append(',');
            first = false;
            b.append(jsonString(e.getKey())).append(':').append(jsonString(e.getValue()));
        }
        b.append('}');
    }

    // ---------------------------------------------------------------------------------------------
    // Measurement

    static long epochMicros() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The artifact version from the jar's META-INF/maven/<group>/<artifact>/pom.properties. */
    private static String pomVersion(Class<?> c, String groupSlashArtifact) {
        try (InputStream s = c.getResourceAsStream("/META-INF/maven/" + groupSlashArtifact + "/pom.properties")) {
            if (s == null) return "unknown";
            java.util.Properties p = new java.util.Properties();
            p.load(s);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String runtime() {
        return "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")";
    }

    // ---------------------------------------------------------------------------------------------
    // The fenced store: one connection per contender, one line each way per step.

    static final class StoreConnection implements Closeable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] buf = new byte[512];
        private int pos;
        private int lim;

        StoreConnection(String address) throws IOException {
            int colon = address.lastIndexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("config.store must be host:port, not " + address);
            String host = address.substring(0, colon);
            int port = Integer.parseInt(address.substring(colon + 1));
            socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(host, port), STORE_TIMEOUT_MS);
                socket.setSoTimeout(STORE_TIMEOUT_MS);
                out = socket.getOutputStream();
                in = socket.getInputStream();
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }

        /** Sends one request line (with its newline) and returns the answer line (without). */
        String request(String line) throws IOException {
            out.write(line.getBytes(StandardCharsets.ISO_8859_1));
            return readLine();
        }

        private String readLine() throws IOException {
            StringBuilder b = null;
            while (true) {
                for (int k = pos; k < lim; k++) {
                    if (buf[k] == '\n') {
                        String s = new String(buf, pos, k - pos, StandardCharsets.ISO_8859_1);
                        pos = k + 1;
                        return b == null ? s : b.append(s).toString();
                    }
                }
                if (lim > pos) {
                    if (b == null) b = new StringBuilder();
                    b.append(new String(buf, pos, lim - pos, StandardCharsets.ISO_8859_1));
                    if (b.length() > 4096) throw new IOException("fenced store: answer line too long");
                }
                pos = 0;
                lim = in.read(buf);
                if (lim < 0) {
                    lim = 0;
                    throw new IOException("fenced store closed the connection");
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // A cell

    /** Where the contenders are; written under Cell.lock, read without it on the fast path. */
    enum Phase { READY, WARMUP, QUIESCE, MEASURE, CLOSING }

    /** One contender's records, written only by its thread; read by main after the contender stopped. */
    static final class Contender {
        final int index;
        final String holder;
        final CuratorFramework client;
        final TokenMutex mutex;
        final StoreConnection store;
        final String enterPrefix;
        final String enterSuffix;
        final String exitSuffix;
        Thread thread;

        long[] latUs = new long[1024];
        long[] holdStart = new long[1024];
        long[] holdEnd = new long[1024];
        String[] tokens = new String[1024];
        int n;
        long errors;
        long windowErrors;
        long stale;
        long windowStale;
        long fallbackReads;
        // Guarded by Cell.lock.
        boolean idle;
        boolean stopped;
        long stopNs;

        Contender(int index, String holder, CuratorFramework client, TokenMutex mutex, StoreConnection store, String lockId) {
            this.index = index;
            this.holder = holder;
            this.client = client;
            this.mutex = mutex;
            this.store = store;
            this.enterPrefix = "E " + lockId + " ";
            this.enterSuffix = " w " + holder + "\n";
            this.exitSuffix = " " + holder + "\n";
        }

        void record(long latencyUs, String token, long startUs, long endUs) {
            if (n == latUs.length) {
                latUs = Arrays.copyOf(latUs, n * 2);
                holdStart = Arrays.copyOf(holdStart, n * 2);
                holdEnd = Arrays.copyOf(holdEnd, n * 2);
                tokens = Arrays.copyOf(tokens, n * 2);
            }
            latUs[n] = latencyUs;
            holdStart[n] = startUs;
            holdEnd[n] = endUs;
            tokens[n] = token;
            n++;
        }
    }

    static final AtomicInteger CELLS_SERVED = new AtomicInteger();

    static final class Cell {
        final String impl;
        final String lockPath;
        final int sessions;
        final long holdMs;
        final long measureMs;
        final int sessionTimeoutMs;
        final int ordinal;
        final List<CuratorFramework> clients = new ArrayList<>();
        final List<StoreConnection> stores = new ArrayList<>();
        Contender[] contenders = new Contender[0];

        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        volatile Phase phase = Phase.READY;
        /** Set before the phase turns MEASURE (under lock; the volatile phase write publishes them). */
        long goNs;
        long measureNs;
        int idleCount; // guarded by lock
        int stoppedCount; // guarded by lock
        /** CLOSE / EXIT under way: a contender's failure from here on is the closing, not an ERROR. */
        volatile boolean closing;
        final AtomicLong sinceStart = new AtomicLong();
        final AtomicLong sinceGo = new AtomicLong();
        /** ConnectionState.LOST events: sessions Curator replaced. */
        final AtomicLong sessionsLost = new AtomicLong();

        Cell(Map<String, Object> cfg) {
            impl = cfg.containsKey("impl") ? str(cfg, "impl") : "curator";
            lockPath = str(cfg, "lockPath");
            sessions = (int) num(cfg, "sessions");
            holdMs = num(cfg, "holdMs");
            measureMs = num(cfg, "measureMs");
            sessionTimeoutMs = (int) num(cfg, "sessionTimeoutMs");
            if (sessions < 1) throw new IllegalArgumentException("sessions must be >= 1");
            if (holdMs < 0 || measureMs < 0) throw new IllegalArgumentException("holdMs and measureMs must be >= 0");
            ordinal = CELLS_SERVED.incrementAndGet();
        }

        /** Opens the sessions and store connections and starts the contender threads (waiting for START). */
        void open(Map<String, Object> cfg) throws Exception {
            final String connect = str(cfg, "connect");
            final String store = str(cfg, "store");
            final long worker = numOr(cfg, "worker", 0);
            // Start every session, then wait for all of them (one bound for the lot).
            // shareSession: one CuratorFramework shared by every contender thread of this process, as an
            // application with many threads uses Curator; otherwise one per contender (session).
            final boolean share = cfg.containsKey("shareSession") && Boolean.TRUE.equals(cfg.get("shareSession"));
            for (int k = 0; k < (share ? 1 : sessions); k++) {
                CuratorFramework c = CuratorFrameworkFactory.builder()
                        .connectString(connect)
                        .sessionTimeoutMs(sessionTimeoutMs)
                        .connectionTimeoutMs(Math.max(15_000, sessionTimeoutMs))
                        .retryPolicy(new ExponentialBackoffRetry(1000, 3))
                        .build();
                clients.add(c);
                OPEN.add(c);
                c.getConnectionStateListenable().addListener((client, state) -> {
                    if (state == ConnectionState.LOST) sessionsLost.incrementAndGet();
                });
                c.start();
            }
            for (int k = 0; k < sessions; k++) {
                StoreConnection s = new StoreConnection(store);
                stores.add(s);
                OPEN.add(s);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS);
            for (CuratorFramework c : clients) {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                if (!c.blockUntilConnected((int) Math.min(Integer.MAX_VALUE, left), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("sessions did not connect within " + CONNECT_TIMEOUT_MS + " ms");
                }
            }
            contenders = new Contender[sessions];
            for (int k = 0; k < sessions; k++) {
                CuratorFramework client = clients.get(share ? 0 : k);
                TokenMutex m = new TokenMutex(client, lockPath, new StatCapturingDriver());
                contenders[k] = new Contender(k, worker + "-" + k, client, m, stores.get(k), lockPath);
            }
            for (Contender c : contenders) {
                c.thread = new Thread(() -> contend(c), "contender-" + c.index);
                c.thread.setDaemon(true);
                c.thread.start();
            }
        }

        /** Generous bound on contenders finishing what they are doing (a herd can take a while). */
        long drainNs() {
            return TimeUnit.MILLISECONDS.toNanos(60_000L + 3L * sessionTimeoutMs + 2L * sessions * (holdMs + 100L));
        }

        void setPhase(Phase p) {
            lock.lock();
            try {
                phase = p;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void start() {
            sinceStart.set(0);
            setPhase(Phase.WARMUP);
            progress(sinceStart, null);
        }

        /** QUIESCE: every contender finishes its acquisition and waits; IDLE once all are waiting. */
        void quiesce() throws InterruptedException {
            setPhase(Phase.QUIESCE);
            long deadline = System.nanoTime() + drainNs();
            lock.lock();
            try {
                while (idleCount < contenders.length) {
                    checkWait(deadline, "idle after QUIESCE", contenders.length - idleCount);
                    changed.await(100, TimeUnit.MILLISECONDS);
                }
            } finally {
                lock.unlock();
            }
            progress(null, "IDLE");
        }

        /** GO: the measure window; DONE once every contender stopped, then RESULT. */
        void go() throws InterruptedException {
            long cpu0 = processCpuNanos();
            lock.lock();
            try {
                sinceGo.set(0);
                goNs = System.nanoTime();
                measureNs = TimeUnit.MILLISECONDS.toNanos(measureMs);
                phase = Phase.MEASURE;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            progress(sinceGo, null);
            long deadline = goNs + measureNs + drainNs();
            lock.lock();
            try {
                while (stoppedCount < contenders.length) {
                    checkWait(deadline, "stopped after the measure window", contenders.length - stoppedCount);
                    changed.await(100, TimeUnit.MILLISECONDS);
                }
            } finally {
                lock.unlock();
            }
            long cpu1 = processCpuNanos();
            progress(null, "DONE");
            emit("RESULT " + result(cpu1 - cpu0));
        }

        /** In a wait of main's: fails on the bound; stdin's end stops the wait (main then shuts down). */
        private void checkWait(long deadlineNs, String what, int missing) {
            if (stdinEnded) throw new StdinEnded();
            if (System.nanoTime() - deadlineNs >= 0) {
                throw new IllegalStateException(missing + " contender(s) not " + what + " within "
                        + TimeUnit.NANOSECONDS.toMillis(drainNs()) + " ms");
            }
        }

        /**
         * CLOSE (and EXIT): stop the contenders, close the sessions and connections; bounded. Idle
         * contenders leave at once; busy ones (CLOSE during warm-up) get `joinMs` to finish their
         * acquisition, after which closing their sessions and connections ends it.
         */
        void close(long joinMs) {
            closing = true;
            progress(null, null);
            setPhase(Phase.CLOSING);
            joinContenders(joinMs);
            List<Closeable> all = new ArrayList<>(clients);
            all.addAll(stores);
            if (!closeAll(all, CLOSE_TIMEOUT_MS)) {
                System.err.println("CuratorLockBench: some sessions or connections did not close within " + CLOSE_TIMEOUT_MS + " ms");
            }
            // A contender stuck in acquire got an exception from the closed session by now.
            joinContenders(2000);
        }

        private void joinContenders(long boundMs) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMs);
            for (Contender c : contenders) {
                if (c.thread == null) continue;
                long left = deadline - System.nanoTime();
                try {
                    if (left > 0) c.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /**
         * Waits until the contender may start an acquisition; returns true for one inside the measure
         * window, false for a warm-up one; null when it is to leave (CLOSE).
         */
        private Boolean awaitTurn(Contender me) throws InterruptedException {
            // Fast path, no lock: warm-up, or inside the window.
            Phase p = phase;
            if (p == Phase.WARMUP) return Boolean.FALSE;
            if (p == Phase.MEASURE && !me.stopped && System.nanoTime() - goNs < measureNs) return Boolean.TRUE;
            lock.lock();
            try {
                while (true) {
                    p = phase;
                    if (p == Phase.CLOSING) return null;
                    if (p == Phase.WARMUP) return Boolean.FALSE;
                    if (p == Phase.QUIESCE && !me.idle) {
                        me.idle = true;
                        idleCount++;
                        changed.signalAll();
                    } else if (p == Phase.MEASURE && !me.stopped) {
                        long now = System.nanoTime();
                        if (now - goNs < measureNs) return Boolean.TRUE;
                        me.stopped = true;
                        me.stopNs = now;
                        stoppedCount++;
                        changed.signalAll();
                    }
                    // Woken by every phase change; the timeout only bounds a single wait.
                    changed.await(1, TimeUnit.SECONDS);
                }
            } finally {
                lock.unlock();
            }
        }

        /** One contender's loop: t0; acquire; tA; the critical section on the store; release. */
        private void contend(Contender me) {
            try {
                int consecutive = 0;
                while (true) {
                    Boolean measuring = awaitTurn(me);
                    if (measuring == null) return;
                    long t0 = System.nanoTime();
                    try {
                        me.mutex.acquire();
                    } catch (Exception e) {
                        if (closing) return;
                        me.errors++;
                        if (measuring) me.windowErrors++;
                        if (++consecutive >= MAX_CONSECUTIVE_ERRORS) {
                            fail("contender " + me.holder + ": " + consecutive + " acquisitions failed in a row, the last: "
                                    + describe(e), e);
                            return;
                        }
                        Thread.sleep(10);
                        continue;
                    }
                    consecutive = 0;
                    long tA = System.nanoTime();
                    long holdStartUs = epochMicros();
                    String token;
                    String held = me.mutex.heldPath();
                    if (held != null && held.equals(me.mutex.driver.lastPath) && me.mutex.driver.lastCzxid != 0) {
                        token = Long.toString(me.mutex.driver.lastCzxid);
                    } else {
                        // No create response for the held node (protected-mode recovery): read it.
                        me.fallbackReads++;
                        Stat st = held == null ? null : me.client.checkExists().forPath(held);
                        token = st == null ? "0" : Long.toString(st.getCzxid());
                    }
                    // The critical section: enter (write) with the token, hold, exit.
                    String answer = me.store.request(me.enterPrefix + token + me.enterSuffix);
                    if (answer.equals("STALE")) {
                        me.stale++;
                        if (measuring) me.windowStale++;
                    } else if (!answer.equals("OK")) {
                        throw new IOException("fenced store answered E with: " + answer);
                    }
                    if (holdMs > 0) Thread.sleep(holdMs);
                    answer = me.store.request("X " + lockPath + " " + token + me.exitSuffix);
                    if (!answer.equals("OK")) throw new IOException("fenced store answered X with: " + answer);
                    long holdEndUs = epochMicros();
                    try {
                        me.mutex.release();
                    } catch (Exception e) {
                        if (closing) return;
                        me.errors++;
                        if (measuring) me.windowErrors++;
                    }
                    if (measuring) {
                        me.record((tA - t0) / 1000, token, holdStartUs, holdEndUs);
                        sinceGo.incrementAndGet();
                    } else {
                        sinceStart.incrementAndGet();
                    }
                }
            } catch (Throwable t) {
                if (closing) return;
                fail("contender " + me.holder + " failed: " + describe(t), t);
            }
        }

        private String result(long cpuNanos) {
            long errors = 0;
            long windowErrors = 0;
            long stale = 0;
            long windowStale = 0;
            long fallback = 0;
            long lastStopNs = goNs;
            int total = 0;
            for (Contender c : contenders) {
                errors += c.errors;
                windowErrors += c.windowErrors;
                stale += c.stale;
                windowStale += c.windowStale;
                fallback += c.fallbackReads;
                total += c.n;
                if (c.stopNs - lastStopNs > 0) lastStopNs = c.stopNs;
            }
            StringBuilder b = new StringBuilder(256 + total * 64);
            b.append("{\"impl\":").append(jsonString(impl));
            b.append(",\"acquisitions\":").append(total);
            b.append(",\"latenciesUs\":[");
            boolean first = true;
            for (Contender c : contenders) {
                for (int j = 0; j < c.n; j++) {
                    if (!first) b.append(',');
                    first = false;
                    b.append(c.latUs[j]);
                }
            }
            b.append("],\"holds\":[");
            first = true;
            for (Contender c : contenders) {
                for (int j = 0; j < c.n; j++) {
                    if (!first) b.append(',');
                    first = false;
                    b.append("[\"").append(c.tokens[j]).append("\",\"w\",").append(c.holdStart[j]).append(',')
                            .append(c.holdEnd[j]).append(']');
                }
            }
            b.append("],\"cpuUs\":").append(cpuNanos / 1000);
            b.append(",\"measuredMs\":").append(String.format(Locale.ROOT, "%.3f", (lastStopNs - goNs) / 1e6));
            b.append(",\"errors\":").append(errors);
            b.append(",\"staleWrites\":").append(stale);
            Map<String, String> notes = new LinkedHashMap<>();
            notes.put("library", "Apache Curator " + pomVersion(InterProcessMutex.class, "org.apache.curator/curator-recipes")
                    + " InterProcessMutex");
            notes.put("zookeeperClient", "ZooKeeper Java client " + pomVersion(ZooKeeper.class, "org.apache.zookeeper/zookeeper"));
            notes.put("runtime", runtime());
            notes.put("threads", "platform, one per session");
            notes.put("token", "czxid from the create2 response Curator already receives (driver adds storingStatIn): no extra round trip");
            notes.put("extraReadsPerAcquisition", "0");
            notes.put("tokenFallbackReads", Long.toString(fallback));
            notes.put("cellInProcess", Integer.toString(ordinal));
            notes.put("errorsInWindow", Long.toString(windowErrors));
            notes.put("staleWritesInWindow", Long.toString(windowStale));
            notes.put("sessionsReplaced", Long.toString(sessionsLost.get()));
            b.append(",\"notes\":");
            appendNotes(b, notes);
            b.append('}');
            return b.toString();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // FLOOR: the server's floor with the plain ZooKeeper Java client (bench/lock/server-floor.ts's operations).

    /** A ZooKeeper handle as a Closeable (for OPEN and closeAll). */
    static final class ZkHandle implements Closeable {
        final ZooKeeper zk;

        ZkHandle(ZooKeeper zk) {
            this.zk = zk;
        }

        @Override
        public void close() {
            try {
                zk.close((int) CLOSE_TIMEOUT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ZkHandle connectZk(String connect) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 10_000, (WatchedEvent e) -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        ZkHandle h = new ZkHandle(zk);
        OPEN.add(h);
        if (!connected.await(FLOOR_STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("FLOOR: session did not connect within " + FLOOR_STEP_TIMEOUT_MS + " ms");
        }
        return h;
    }

    private static final byte[] EMPTY = new byte[0];

    /** A creates `<dir>/cd-` (ephemeral sequential) and deletes it; both timed, ns. */
    private static long createDelete(ZooKeeper a, String dir) throws Exception {
        long t0 = System.nanoTime();
        String path = a.create(dir + "/cd-", EMPTY, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
        a.delete(path, -1);
        return System.nanoTime() - t0;
    }

    /** B watches A's node; ns from A's delete call until B's watcher sees NodeDeleted. */
    private static long notifyTime(ZooKeeper a, ZooKeeper b, String dir, boolean sync) throws Exception {
        String path = a.create(dir + "/nd-", EMPTY, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
        if (sync) {
            // On an ensemble B's server may not have applied A's create yet: catch up first (not timed).
            CountDownLatch synced = new CountDownLatch(1);
            int[] rc = {0};
            b.sync(path, (code, p, ctx) -> {
                rc[0] = code;
                synced.countDown();
            }, null);
            if (!synced.await(FLOOR_STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) throw new IllegalStateException("FLOOR: sync timed out");
            if (rc[0] != KeeperException.Code.OK.intValue()) throw KeeperException.create(KeeperException.Code.get(rc[0]), path);
        }
        CountDownLatch fired = new CountDownLatch(1);
        long[] firedAt = {0};
        Watcher.Event.EventType[] type = {null};
        Stat stat = b.exists(path, (WatchedEvent e) -> {
            firedAt[0] = System.nanoTime();
            type[0] = e.getType();
            fired.countDown();
        });
        if (stat == null) throw new IllegalStateException("FLOOR: " + path + " vanished");
        long t0 = System.nanoTime();
        a.delete(path, -1);
        if (!fired.await(FLOOR_STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) throw new IllegalStateException("FLOOR: no notification for " + path);
        if (type[0] != Watcher.Event.EventType.NodeDeleted) throw new IllegalStateException("FLOOR: expected NodeDeleted, got " + type[0]);
        return firedAt[0] - t0;
    }

    static void floor(Map<String, Object> cfg) throws Exception {
        String connect = str(cfg, "connect");
        String dir = str(cfg, "dir");
        int iterations = (int) num(cfg, "iterations");
        int warmup = (int) num(cfg, "warmupIterations");
        boolean sync = cfg.get("sync") != null && bool(cfg, "sync");
        long[] cd = new long[Math.max(0, iterations)];
        long[] nd = new long[Math.max(0, iterations)];
        List<Closeable> handles = new ArrayList<>();
        try {
            ZkHandle a = connectZk(connect);
            handles.add(a);
            ZkHandle b = connectZk(connect);
            handles.add(b);
            // Warm-up: the server's and this JVM's JIT, and the disk's write path.
            for (int i = 0; i < warmup; i++) {
                createDelete(a.zk, dir);
                notifyTime(a.zk, b.zk, dir, sync);
            }
            // Interleaved, so drift in the machine's load hits both figures alike.
            for (int i = 0; i < iterations; i++) {
                cd[i] = createDelete(a.zk, dir);
                nd[i] = notifyTime(a.zk, b.zk, dir, sync);
            }
        } finally {
            // Closed before the answer, so the closeSessions are over when the orchestrator goes on.
            closeAll(handles, CLOSE_TIMEOUT_MS);
        }
        StringBuilder out = new StringBuilder(64 + 24 * (cd.length + nd.length));
        out.append("{\"createDeleteUs\":[");
        for (int i = 0; i < cd.length; i++) {
            if (i > 0) out.append(',');
            appendMicros(out, cd[i]);
        }
        out.append("],\"notifyUs\":[");
        for (int i = 0; i < nd.length; i++) {
            if (i > 0) out.append(',');
            appendMicros(out, nd[i]);
        }
        out.append("],\"client\":").append(jsonString("ZooKeeper " + pomVersion(ZooKeeper.class, "org.apache.zookeeper/zookeeper")
                + " Java client on " + runtime()));
        out.append('}');
        emit("FLOOR " + out);
    }

    // ---------------------------------------------------------------------------------------------
    // Commands

    /** stdin's end, as a queue item (compared by identity). */
    private static final String EOF = new String("<EOF>");
    private static final LinkedBlockingQueue<String> LINES = new LinkedBlockingQueue<>();
    static volatile boolean stdinEnded;

    private static void readStdin() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while ((line = in.readLine()) != null) LINES.add(line);
        } catch (IOException ignored) {
            // as the end of stdin
        }
        stdinEnded = true;
        LINES.add(EOF);
    }

    public static void main(String[] args) {
        Cell cell = null;
        try {
            if (args.length != 0) {
                throw new IllegalArgumentException("CuratorLockBench takes no argument (protocol version 2: cells come as CELL lines on stdin)");
            }
            processCpuNanos(); // load the management classes now, not at the start of a measure window
            Thread reader = new Thread(CuratorLockBench::readStdin, "stdin");
            reader.setDaemon(true);
            reader.start();
            Thread ticker = new Thread(CuratorLockBench::progressLoop, "progress");
            ticker.setDaemon(true);
            ticker.start();

            while (true) {
                String line;
                if (cell == null) {
                    line = LINES.poll(COMMAND_TIMEOUT_IDLE_MS, TimeUnit.MILLISECONDS);
                    if (line == null) line = EOF; // forgotten between cells: leave quietly
                } else {
                    line = LINES.poll(COMMAND_TIMEOUT_IN_CELL_MS, TimeUnit.MILLISECONDS);
                    if (line == null) throw new IllegalStateException("no command within " + COMMAND_TIMEOUT_IN_CELL_MS + " ms in an open cell");
                }
                if (line == EOF) {
                    shutdown(cell);
                    return;
                }
                line = line.trim();
                if (line.isEmpty()) continue;
                int space = line.indexOf(' ');
                String word = space < 0 ? line : line.substring(0, space);
                String rest = space < 0 ? "" : line.substring(space + 1).trim();
                switch (word) {
                    case "CELL": {
                        if (cell != null) throw new IllegalStateException("CELL while a cell is open (no CLOSE)");
                        Map<String, Object> cfg = parseObject(rest);
                        cell = new Cell(cfg);
                        cell.open(cfg);
                        emit("READY");
                        break;
                    }
                    case "START":
                        need(cell, word, Phase.READY).start();
                        break;
                    case "QUIESCE":
                        need(cell, word, Phase.READY, Phase.WARMUP).quiesce();
                        break;
                    case "GO":
                        need(cell, word, Phase.READY, Phase.QUIESCE).go();
                        break;
                    case "CLOSE":
                        if (cell != null) cell.close(TimeUnit.NANOSECONDS.toMillis(cell.drainNs()));
                        cell = null;
                        emit("CLOSED");
                        break;
                    case "FLOOR":
                        if (cell != null) throw new IllegalStateException("FLOOR while a cell is open");
                        floor(parseObject(rest));
                        break;
                    case "EXIT":
                        shutdown(cell);
                        return;
                    default:
                        throw new IllegalArgumentException("unknown command " + jsonString(line.length() > 40 ? line.substring(0, 40) : line));
                }
            }
        } catch (StdinEnded e) {
            shutdown(cell);
        } catch (Throwable t) {
            fail(describe(t), t);
        }
    }

    /** stdin ended while main waited on the contenders: shut down as on EXIT. */
    static final class StdinEnded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StdinEnded() {
            super("stdin ended", null, false, false);
        }
    }

    /** The open cell, if its contenders are in one of `phases` (a command out of order is an ERROR). */
    private static Cell need(Cell cell, String command, Phase... phases) {
        if (cell == null) throw new IllegalStateException(command + " without a cell (no CELL)");
        Phase p = cell.phase;
        if (p == Phase.MEASURE) throw new IllegalStateException(command + " after GO (one window per cell)");
        for (Phase ok : phases) {
            if (p == ok) return cell;
        }
        throw new IllegalStateException(command + " out of order (the cell is in " + p.name().toLowerCase(Locale.ROOT) + ")");
    }
}
