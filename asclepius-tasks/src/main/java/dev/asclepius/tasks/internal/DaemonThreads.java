package dev.asclepius.tasks.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread pools whose threads do not keep the JVM alive: a client the caller forgets to close must not. */
public final class DaemonThreads {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private DaemonThreads() {
    }

    /** A cached pool of daemon threads named {@code prefix} plus a process-wide number. */
    public static ExecutorService pool(String prefix) {
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }
}
