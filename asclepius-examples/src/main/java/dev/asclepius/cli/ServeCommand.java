package dev.asclepius.cli;

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
            description = "Require 'Authorization: Bearer KEY' on /v1/* (default: the ASCLEPIUS_API_KEY environment variable, else none).")
    String apiKey;

    @Option(names = "--workers", defaultValue = "16", paramLabel = "N",
            description = "Request threads (default: ${DEFAULT-VALUE}); concurrent requests are decoded together (continuous batching).")
    int workers;

    /** A hub id serves under its id (as vLLM does); a folder under its name. */
    static String servedName(String model) {
        if (dev.asclepius.core.hub.HubModels.isRepoId(model) && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(model))) {
            return model;
        }
        java.nio.file.Path name = java.nio.file.Path.of(model).toAbsolutePath().normalize().getFileName();
        return name == null ? model : name.toString();
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new InvalidInputException("--port must be in 0..65535, got " + port);
        }
        if (workers <= 0) {
            throw new InvalidInputException("--workers must be > 0, got " + workers);
        }
        String key = apiKey != null ? apiKey : System.getenv("ASCLEPIUS_API_KEY");
        String name = servedModelName != null ? servedModelName : servedName(modelOptions.model);
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        try (LanguageModel model = modelOptions.loadAny();
             CompletionServer server = new CompletionServer(model, name, host, port, workers,
                     key == null || key.isBlank() ? null : key)) {
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
