/*
 * The Java side of bench/pipeline/main.ts: the ZooKeeper Java client's async API driven with a
 * Semaphore window, one session, the same workloads and the same RESULT lines as node-runner.ts.
 *
 * Compiled at run time into a temp dir by bench/pipeline/java.ts; not part of any build.
 * Arguments are key=value pairs (see RunSpec in bench/pipeline/spec.ts).
 *
 * Client CPU is OperatingSystemMXBean.getProcessCpuTime(): every JVM thread, so it includes the JIT
 * compiler and the garbage collector, as process.cpuUsage() includes V8's helper threads.
 */
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

public final class JavaPipeline {
    private static final long PHASE_TIMEOUT_S = 120;

    private final ZooKeeper zk;
    private final Map<String, String> opts;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private JavaPipeline(ZooKeeper zk, Map<String, String> opts) {
        this.zk = zk;
        this.opts = opts;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (eq > 0) opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(opts.get("connect"), Integer.parseInt(opts.get("sessionTimeout")), e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        try {
            if (!connected.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("no session within 30 s");
            new JavaPipeline(zk, opts).run();
        } finally {
            zk.close();
        }
    }

    private int num(String key) {
        return Integer.parseInt(opts.get(key));
    }

    private void run() throws Exception {
        String dataPath = opts.get("dataPath");
        String parent = opts.get("pairParent");
        String tag = opts.get("tag");
        int window = num("window");
        int dataSize = num("dataSize");
        byte[] data = new byte[dataSize];
        for (int i = 0; i < dataSize; i++) data[i] = (byte) ('a' + i % 26);

        gets(dataPath, num("getWarmup"), window, dataSize);
        measure("getData", num("gets"), () -> gets(dataPath, num("gets"), window, dataSize));
        pairs(parent, tag + "w", num("pairWarmup"), window, data);
        measure("createDelete", 2 * num("pairs"), () -> pairs(parent, tag + "m", num("pairs"), window, data));
    }

    private interface Phase {
        void run() throws Exception;
    }

    private void measure(String name, int ops, Phase phase) throws Exception {
        long server0 = serverTicks();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        phase.run();
        long t1 = System.nanoTime();
        long cpu1 = os.getProcessCpuTime();
        long server1 = serverTicks();
        String serverUs = server0 < 0 || server1 < 0
                ? "null"
                : Double.toString((server1 - server0) * 1e6 / Integer.parseInt(opts.get("clkTck")));
        System.out.println("RESULT {\"phase\":\"" + name + "\",\"ops\":" + ops + ",\"wallMs\":" + (t1 - t0) / 1e6
                + ",\"cpuUs\":" + (cpu1 - cpu0) / 1e3 + ",\"userUs\":null,\"serverCpuUs\":" + serverUs + "}");
        System.out.flush();
    }

    /** utime + stime of the server process in clock ticks, or -1 when unknown. */
    private long serverTicks() {
        String pid = opts.get("serverPid");
        if (pid == null || pid.isEmpty() || pid.equals("0")) return -1;
        try {
            String stat = new String(Files.readAllBytes(Paths.get("/proc", pid, "stat")), StandardCharsets.US_ASCII);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return -1;
        }
    }

    private static void await(CountDownLatch done, AtomicReference<String> failure) throws Exception {
        if (!done.await(PHASE_TIMEOUT_S, TimeUnit.SECONDS)) throw new IllegalStateException("phase timed out");
        if (failure.get() != null) throw new IllegalStateException(failure.get());
    }

    /** n getData calls, at most `window` in flight. */
    private void gets(String path, int n, int window, int expectLen) throws Exception {
        Semaphore slots = new Semaphore(window);
        CountDownLatch done = new CountDownLatch(n);
        AtomicReference<String> failure = new AtomicReference<>();
        AsyncCallback.DataCallback cb = (rc, p, ctx, bytes, stat) -> {
            if (rc != 0 || bytes == null || bytes.length != expectLen) failure.compareAndSet(null, "getData rc=" + rc);
            slots.release();
            done.countDown();
        };
        for (int i = 0; i < n; i++) {
            if (!slots.tryAcquire(PHASE_TIMEOUT_S, TimeUnit.SECONDS)) throw new IllegalStateException("window stuck");
            zk.getData(path, false, cb, null);
        }
        await(done, failure);
    }

    /** n create-then-delete pairs, at most `window` pairs (so requests) in flight. create2, as zkts sends. */
    private void pairs(String parent, String tag, int n, int window, byte[] data) throws Exception {
        Semaphore slots = new Semaphore(window);
        CountDownLatch done = new CountDownLatch(n);
        AtomicReference<String> failure = new AtomicReference<>();
        AsyncCallback.VoidCallback deleted = (rc, p, ctx) -> {
            if (rc != 0) failure.compareAndSet(null, "delete rc=" + rc);
            slots.release();
            done.countDown();
        };
        AsyncCallback.Create2Callback created = (rc, p, ctx, name, stat) -> {
            if (rc != 0) {
                failure.compareAndSet(null, "create rc=" + rc);
                slots.release();
                done.countDown();
                return;
            }
            zk.delete(p, -1, deleted, null);
        };
        for (int i = 0; i < n; i++) {
            if (!slots.tryAcquire(PHASE_TIMEOUT_S, TimeUnit.SECONDS)) throw new IllegalStateException("window stuck");
            zk.create(parent + "/" + tag + "-" + i, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, created, null);
        }
        await(done, failure);
    }
}
