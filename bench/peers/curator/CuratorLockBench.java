/*
 * Lock-benchmark runner for Apache Curator's InterProcessMutex (bench/lock/protocol.ts).
 *
 * Single file, no build tool: the orchestrator compiles it with
 *   javac -cp <curator + zookeeper jars> -d <tmp> CuratorLockBench.java
 * and runs
 *   java -cp <tmp>:<same jars> CuratorLockBench '<RunnerConfig JSON>'
 *
 * One CuratorFramework (one ZooKeeper session) per contender, one InterProcessMutex and one platform
 * thread per session. Stock Curator code paths everywhere; the only addition is how the fencing token
 * is read:
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
 */

import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.StandardLockInternalsDriver;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;

public final class CuratorLockBench {
    private static final PrintStream OUT = new PrintStream(
            new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);

    /** Upper bound on waiting for START after READY (the orchestrator is gone or stuck). */
    private static final long START_TIMEOUT_MS = 10 * 60_000L;

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
    // Config

    /** Tiny parser for a flat JSON object of strings, numbers, booleans and nulls. */
    static Map<String, Object> parseFlatJson(String s) {
        Map<String, Object> out = new LinkedHashMap<>();
        int[] i = {0};
        skipWs(s, i);
        expect(s, i, '{');
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
            skipWs(s, i);
            char c = peek(s, i);
            Object value;
            if (c == '"') {
                value = parseString(s, i);
            } else if (s.startsWith("true", i[0])) {
                i[0] += 4;
                value = Boolean.TRUE;
            } else if (s.startsWith("false", i[0])) {
                i[0] += 5;
                value = Boolean.FALSE;
            } else if (s.startsWith("null", i[0])) {
                i[0] += 4;
                value = null;
            } else {
                int start = i[0];
                while (i[0] < s.length() && "+-0123456789.eE".indexOf(s.charAt(i[0])) >= 0) i[0]++;
                if (start == i[0]) throw new IllegalArgumentException("bad JSON value at " + start);
                value = Double.parseDouble(s.substring(start, i[0]));
            }
            out.put(key, value);
            skipWs(s, i);
            char d = peek(s, i);
            i[0]++;
            if (d == '}') break;
            if (d != ',') throw new IllegalArgumentException("expected , or } at " + (i[0] - 1));
        }
        skipWs(s, i);
        if (i[0] != s.length()) throw new IllegalArgumentException("trailing characters after JSON object");
        return out;
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

    // ---------------------------------------------------------------------------------------------
    // Measurement

    static long epochMicros() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** One contender's records; owned by its thread until the thread is joined. */
    static final class Contender {
        long[] latUs = new long[1024];
        int n;
        final List<String> tokens = new ArrayList<>();
        long[] holdStart = new long[1024];
        long[] holdEnd = new long[1024];
        long errors;
        long fallbackReads;
        Throwable fatal;

        void record(long latencyUs, String token, long startUs, long endUs) {
            if (n == latUs.length) {
                latUs = java.util.Arrays.copyOf(latUs, n * 2);
                holdStart = java.util.Arrays.copyOf(holdStart, n * 2);
                holdEnd = java.util.Arrays.copyOf(holdEnd, n * 2);
            }
            latUs[n] = latencyUs;
            holdStart[n] = startUs;
            holdEnd[n] = endUs;
            tokens.add(token);
            n++;
        }
    }

    public static void main(String[] args) {
        List<CuratorFramework> clients = new ArrayList<>();
        try {
            run(args, clients);
            closeAll(clients);
            OUT.flush();
            System.exit(0);
        } catch (Throwable t) {
            String msg = (t.getClass().getSimpleName() + ": " + t.getMessage()).replace('\n', ' ');
            OUT.println("ERROR " + msg);
            t.printStackTrace(System.err);
            OUT.flush();
            System.err.flush();
            // Do not wait on a graceful close here: a wedged session must not keep the process alive.
            Runtime.getRuntime().halt(1);
        }
    }

    private static void closeAll(List<CuratorFramework> clients) {
        for (CuratorFramework c : clients) {
            try {
                c.close();
            } catch (Throwable ignored) {
                // closing is best effort
            }
        }
    }

    private static void run(String[] args, List<CuratorFramework> clients) throws Exception {
        if (args.length != 1) throw new IllegalArgumentException("usage: CuratorLockBench '<RunnerConfig JSON>'");
        Map<String, Object> cfg = parseFlatJson(args[0]);
        final String impl = cfg.containsKey("impl") ? str(cfg, "impl") : "curator";
        final String connect = str(cfg, "connect");
        final String lockPath = str(cfg, "lockPath");
        final int sessions = (int) num(cfg, "sessions");
        final long holdMs = num(cfg, "holdMs");
        final long warmupMs = num(cfg, "warmupMs");
        final long measureMs = num(cfg, "measureMs");
        final int sessionTimeoutMs = (int) num(cfg, "sessionTimeoutMs");
        if (sessions < 1) throw new IllegalArgumentException("sessions must be >= 1");

        // Open the sessions: start all, then wait for each.
        for (int k = 0; k < sessions; k++) {
            CuratorFramework c = CuratorFrameworkFactory.builder()
                    .connectString(connect)
                    .sessionTimeoutMs(sessionTimeoutMs)
                    .connectionTimeoutMs(Math.max(15_000, sessionTimeoutMs))
                    .retryPolicy(new ExponentialBackoffRetry(1000, 3))
                    .build();
            clients.add(c);
            c.start();
        }
        for (CuratorFramework c : clients) {
            if (!c.blockUntilConnected(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("session did not connect within 60 s");
            }
        }
        final TokenMutex[] mutexes = new TokenMutex[sessions];
        for (int k = 0; k < sessions; k++) {
            mutexes[k] = new TokenMutex(clients.get(k), lockPath, new StatCapturingDriver());
        }

        final Contender[] contenders = new Contender[sessions];
        for (int k = 0; k < sessions; k++) contenders[k] = new Contender();
        final AtomicLong acquisitions = new AtomicLong();
        final CountDownLatch done = new CountDownLatch(sessions);

        processCpuNanos(); // load the management classes now, not at the start of the measure window
        OUT.println("READY");

        // Wait for START (bounded).
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        final String[] startLine = {null};
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.trim().equals("START")) {
                        startLine[0] = line;
                        return;
                    }
                }
            } catch (Exception ignored) {
                // EOF or error: treated as no START
            }
        }, "stdin");
        reader.setDaemon(true);
        reader.start();
        reader.join(START_TIMEOUT_MS);
        if (startLine[0] == null) {
            throw new IllegalStateException(reader.isAlive() ? "no START within " + START_TIMEOUT_MS + " ms" : "stdin closed before START");
        }

        final long startNs = System.nanoTime();
        final long measureStartNs = startNs + warmupMs * 1_000_000L;
        final long measureEndNs = measureStartNs + measureMs * 1_000_000L;

        Thread[] threads = new Thread[sessions];
        for (int k = 0; k < sessions; k++) {
            final TokenMutex mutex = mutexes[k];
            final CuratorFramework client = clients.get(k);
            final Contender me = contenders[k];
            threads[k] = new Thread(() -> {
                try {
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 - measureEndNs >= 0) break;
                        try {
                            mutex.acquire();
                        } catch (Exception e) {
                            me.errors++;
                            Thread.sleep(10);
                            continue;
                        }
                        long tA = System.nanoTime();
                        long holdStartUs = epochMicros();
                        String token;
                        String held = mutex.heldPath();
                        if (held != null && held.equals(mutex.driver.lastPath) && mutex.driver.lastCzxid != 0) {
                            token = Long.toString(mutex.driver.lastCzxid);
                        } else {
                            // No create response for the held node (protected-mode recovery): read it.
                            me.fallbackReads++;
                            Stat st = held == null ? null : client.checkExists().forPath(held);
                            token = st == null ? "0" : Long.toString(st.getCzxid());
                        }
                        if (holdMs > 0) Thread.sleep(holdMs);
                        long holdEndUs = epochMicros();
                        try {
                            mutex.release();
                        } catch (Exception e) {
                            me.errors++;
                        }
                        if (t0 - measureStartNs >= 0) {
                            me.record((tA - t0) / 1000, token, holdStartUs, holdEndUs);
                            acquisitions.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    me.fatal = t;
                } finally {
                    done.countDown();
                }
            }, "contender-" + k);
            threads[k].setDaemon(true);
        }
        for (Thread t : threads) t.start();

        // Warm-up, then the measure window.
        sleepUntil(measureStartNs);
        long cpu0 = processCpuNanos();
        OUT.println("MEASURE");

        // Progress until every contender has left its loop; bounded by a generous drain allowance.
        long drainNs = TimeUnit.MILLISECONDS.toNanos(60_000L + 3L * sessionTimeoutMs + 2L * sessions * (holdMs + 100L));
        long deadlineNs = measureEndNs + drainNs;
        while (!done.await(250, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() - deadlineNs >= 0) {
                throw new IllegalStateException((done.getCount()) + " contender(s) still running "
                        + TimeUnit.NANOSECONDS.toMillis(drainNs) + " ms after the measure window ended");
            }
            OUT.println("PROGRESS " + acquisitions.get());
        }
        long cpu1 = processCpuNanos();
        long measureWallEnd = System.nanoTime();
        OUT.println("DONE");

        for (int k = 0; k < sessions; k++) {
            if (contenders[k].fatal != null) {
                Throwable f = contenders[k].fatal;
                throw new IllegalStateException("contender " + k + " failed: " + f, f);
            }
        }

        long errors = 0, fallback = 0;
        int total = 0;
        for (Contender c : contenders) {
            errors += c.errors;
            fallback += c.fallbackReads;
            total += c.n;
        }
        StringBuilder b = new StringBuilder(64 + total * 60);
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
                b.append("[\"").append(c.tokens.get(j)).append("\",\"w\",").append(c.holdStart[j]).append(',')
                        .append(c.holdEnd[j]).append(']');
            }
        }
        b.append("],\"cpuUs\":").append((cpu1 - cpu0) / 1000);
        b.append(",\"measuredMs\":").append(String.format(java.util.Locale.ROOT, "%.3f", (measureWallEnd - measureStartNs) / 1e6));
        b.append(",\"errors\":").append(errors);
        Map<String, String> notes = new LinkedHashMap<>();
        notes.put("library", "Apache Curator " + pomVersion(InterProcessMutex.class, "org.apache.curator/curator-recipes")
                + " InterProcessMutex");
        notes.put("zookeeperClient", "ZooKeeper Java client "
                + pomVersion(org.apache.zookeeper.ZooKeeper.class, "org.apache.zookeeper/zookeeper"));
        notes.put("runtime", "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        notes.put("threads", "platform, one per session");
        notes.put("token", "czxid from the create2 response Curator already receives (driver adds storingStatIn): no extra round trip");
        notes.put("extraReadsPerAcquisition", "0");
        notes.put("tokenFallbackReads", Long.toString(fallback));
        b.append(",\"notes\":{");
        first = true;
        for (Map.Entry<String, String> e : notes.entrySet()) {
            if (!first) b.append(',');
            first = false;
            b.append(jsonString(e.getKey())).append(':').append(jsonString(e.getValue()));
        }
        b.append("}}");
        OUT.println("RESULT " + b);
    }

    /** The artifact version from the jar's META-INF/maven/<group>/<artifact>/pom.properties. */
    private static String pomVersion(Class<?> c, String groupSlashArtifact) {
        try (java.io.InputStream s = c.getResourceAsStream("/META-INF/maven/" + groupSlashArtifact + "/pom.properties")) {
            if (s == null) return "unknown";
            java.util.Properties p = new java.util.Properties();
            p.load(s);
            return p.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static void sleepUntil(long deadlineNs) throws InterruptedException {
        while (true) {
            long left = deadlineNs - System.nanoTime();
            if (left <= 0) return;
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 50_000_000L));
        }
    }
}
