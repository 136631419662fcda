package dev.asclepius.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code asclepius serve} on an ephemeral 127.0.0.1 port, in a thread of this JVM; closing interrupts it. */
final class ServeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/v1");
    private final Thread thread;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final AtomicInteger code = new AtomicInteger(-1);
    final URI base;

    ServeProcess(Path model, String servedName) throws InterruptedException {
        thread = new Thread(() -> code.set(AsclepiusCli.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "serve", "--model", model.toString(), "--port", "0", "--served-model-name", servedName)), "serve-" + servedName);
        thread.setDaemon(true);
        thread.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Matcher m;
        while (!(m = LISTENING.matcher(out.toString())).find()) {
            if (!thread.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("serve did not start: " + out + " " + err);
            }
            Thread.sleep(20);
        }
        base = URI.create("http://127.0.0.1:" + m.group(1));
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();   // the test is being stopped: leave the daemon thread
        }
    }
}
