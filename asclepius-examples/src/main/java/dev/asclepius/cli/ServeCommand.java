package dev.asclepius.cli;

import dev.asclepius.cli.serve.CompletionServer;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code asclepius serve}: an OpenAI-compatible completions server over a local model. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a local model over HTTP with the OpenAI-compatible API: POST /v1/completions (raw prompt "
                + "or token ids, stream: true for server-sent events), GET /v1/models, GET /health. "
                + "Runs until interrupted (Ctrl-C)."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all interfaces).")
    String host;

    @Option(names = "--port", defaultValue = "8000", paramLabel = "P", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--served-model-name", paramLabel = "NAME",
            description = "The model name clients send (default: the model folder's name).")
    String servedModelName;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Require 'Authorization: Bearer KEY' on /v1/* (default: the ASCLEPIUS_API_KEY environment "
                    + "variable, else none). Repeat to accept several keys: each key has its own prefix cache.")
    java.util.List<String> apiKeys = new java.util.ArrayList<>();

    @Option(names = "--allow-unauthenticated",
            description = "Allow a non-loopback --host without an API key (refused otherwise).")
    boolean allowUnauthenticated;

    @Option(names = "--allowed-host", paramLabel = "NAME",
            description = "A Host header name to accept besides localhost, 127.0.0.1, ::1 and --host (repeatable; "
                    + "'*' accepts any, which re-opens DNS rebinding).")
    java.util.List<String> allowedHosts = new java.util.ArrayList<>();

    @Option(names = "--cors-origin", paramLabel = "ORIGIN",
            description = "Let web pages of ORIGIN (e.g. https://notes.example.org) call the API (repeatable; '*' any). "
                    + "Default: no CORS.")
    java.util.List<String> corsOrigins = new java.util.ArrayList<>();

    @Option(names = "--workers", defaultValue = "16", paramLabel = "N",
            description = "Generations run at once (default: ${DEFAULT-VALUE}); they are decoded together (continuous batching).")
    int workers;

    @Option(names = "--max-queued", defaultValue = "64", paramLabel = "N",
            description = "Generation requests that may wait for a worker; more get 503 (default: ${DEFAULT-VALUE}).")
    int maxQueued;

    @Option(names = "--max-request-bytes", defaultValue = "1048576", paramLabel = "BYTES",
            description = "Largest request body; larger get 413 (default: ${DEFAULT-VALUE}).")
    long maxRequestBytes;

    @Option(names = "--max-header-bytes", defaultValue = "8192", paramLabel = "BYTES",
            description = "Largest request line and headers; larger get 431 (default: ${DEFAULT-VALUE}).")
    int maxHeaderBytes;

    @Option(names = "--header-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Time a client has to send a request's headers before the connection is closed (default: ${DEFAULT-VALUE}).")
    double headerTimeout;

    @Option(names = "--body-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Time a client has to send a request's body before it gets 408 (default: ${DEFAULT-VALUE}).")
    double bodyTimeout;

    @Option(names = "--idle-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "A connection silent this long is closed (default: ${DEFAULT-VALUE}).")
    double idleTimeout;

    @Option(names = "--max-connections", defaultValue = "512", paramLabel = "N",
            description = "Open connections at most; more wait to be accepted (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    /** A hub id serves under its id (as vLLM does); a folder under its name. */
    static String servedName(String model) {
        if (dev.asclepius.core.hub.HubModels.isRepoId(model) && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(model))) {
            return model;
        }
        java.nio.file.Path name = java.nio.file.Path.of(model).toAbsolutePath().normalize().getFileName();
        return name == null ? model : name.toString();
    }

    private CompletionServer.Builder configure(CompletionServer.Builder b, java.util.List<String> keys,
                                               java.time.Duration headerDeadline, java.time.Duration bodyDeadline,
                                               java.time.Duration idle) {
        b.host(host).port(port).workers(workers).maxQueued(maxQueued).maxBodyBytes(maxRequestBytes)
                .maxHeaderBytes(maxHeaderBytes).headerTimeout(headerDeadline).bodyTimeout(bodyDeadline)
                .idleTimeout(idle).maxConnections(maxConnections).allowUnauthenticatedRemote(allowUnauthenticated);
        keys.forEach(b::apiKey);
        allowedHosts.forEach(b::allowedHost);
        corsOrigins.forEach(b::corsOrigin);
        return b;
    }

    private static void positive(String option, long value) {
        if (value <= 0) {
            throw new InvalidInputException(option + " must be > 0, got " + value);
        }
    }

    private static java.time.Duration seconds(String option, double value) {
        if (!(value > 0) || value > 86_400) {
            throw new InvalidInputException(option + " must be in (0, 86400] seconds, got " + value);
        }
        return java.time.Duration.ofMillis(Math.max(1, Math.round(value * 1000)));
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new InvalidInputException("--port must be in 0..65535, got " + port);
        }
        if (workers <= 0) {
            throw new InvalidInputException("--workers must be > 0, got " + workers);
        }
        for (String key : apiKeys) {
            if (key.isBlank()) {
                throw new InvalidInputException("--api-key must not be empty (leave it out to serve without a key)");
            }
        }
        java.util.List<String> keys = new java.util.ArrayList<>(apiKeys);
        String envKey = System.getenv("ASCLEPIUS_API_KEY");
        if (keys.isEmpty() && envKey != null && !envKey.isBlank()) {
            keys.add(envKey);
        }
        String name = servedModelName != null ? servedModelName : servedName(modelOptions.model);
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        if (keys.isEmpty() && !CompletionServer.isLoopback(host)) {
            if (!allowUnauthenticated) {
                throw new InvalidInputException("Refusing to serve on " + host + " without an API key: anyone who "
                        + "can reach this address could run the model and read its answers. Set --api-key (or "
                        + "ASCLEPIUS_API_KEY), bind 127.0.0.1, or pass --allow-unauthenticated to accept the risk.");
            }
            spec.commandLine().getErr().printf("WARNING: serving on %s WITHOUT an API key (--allow-unauthenticated): "
                    + "anyone who can reach this address can run the model and read its answers.%n", host);
            spec.commandLine().getErr().flush();
        }
        // Every option is checked before the model is loaded (minutes for a 7B model).
        java.time.Duration headerDeadline = seconds("--header-timeout", headerTimeout);
        java.time.Duration bodyDeadline = seconds("--body-timeout", bodyTimeout);
        java.time.Duration idle = seconds("--idle-timeout", idleTimeout);
        positive("--max-queued", maxQueued);
        positive("--max-request-bytes", maxRequestBytes);
        positive("--max-header-bytes", maxHeaderBytes);
        positive("--max-connections", maxConnections);
        try (LanguageModel model = modelOptions.loadAny();
             CompletionServer server = configure(CompletionServer.builder(model, name), keys, headerDeadline,
                     bodyDeadline, idle).start()) {
            Thread hook = new Thread(stop::countDown, "asclepius-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.printf("Serving %s on http://%s:%d/v1 (POST /v1/completions, GET /v1/models, GET /health)%n", name,
                    host, server.port());
            out.flush();
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting
                }
            }
        }
        out.println("Stopped.");
        return 0;
    }
}
