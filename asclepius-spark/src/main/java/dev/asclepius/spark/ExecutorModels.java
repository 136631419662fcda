package dev.asclepius.spark;

import dev.asclepius.tasks.AsclepiusClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models of this JVM, one per {@link ModelSpec}: an executor runs many tasks (several at once, one
 * per core) and each would otherwise load its own copy of the weights or open its own HTTP client with its
 * own concurrency limit. Opened on first use, kept for the JVM's life, closed by a shutdown hook.
 */
final class ExecutorModels {
    private static final Map<ModelSpec, AsclepiusClient> CLIENTS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "asclepius-spark-models-close"));
    }

    private ExecutorModels() {
    }

    /** The client owning the model {@code spec} names, opened by the first task that asks (others wait). */
    static AsclepiusClient client(ModelSpec spec) {
        AsclepiusClient client = CLIENTS.computeIfAbsent(spec, ModelSpec::open);
        if (client.isClosed()) {
            // closed by closeAll (tests, or a JVM shutting down): open it again rather than fail every task
            CLIENTS.remove(spec, client);
            return CLIENTS.computeIfAbsent(spec, ModelSpec::open);
        }
        return client;
    }

    /** Closes every model of this JVM (the shutdown hook; tests that want the memory back). */
    static void closeAll() {
        for (Map.Entry<ModelSpec, AsclepiusClient> e : CLIENTS.entrySet()) {
            if (CLIENTS.remove(e.getKey(), e.getValue())) {
                e.getValue().close();
            }
        }
    }

    /** How many models this JVM holds open. */
    static int openCount() {
        return CLIENTS.size();
    }
}
