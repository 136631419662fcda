/**
 * The {@code asclepius} command-line program ({@code dev.asclepius.cli}: demo, generate, bench,
 * random-model, run, parse, batch, serve, ...) and the runnable examples ({@code dev.asclepius.examples}).
 * An application, not a library: it exports nothing.
 *
 * <p>It uses a few of core's internal packages through core's qualified exports (the bench harness, random
 * model writer, PyTorch runtime report, download progress bar). Spark is read from the class path as the
 * unnamed module for the same reason as in {@code dev.asclepius.spark} (see this module's pom).
 */
@SuppressWarnings("requires-automatic")
module dev.asclepius.examples {
    requires dev.asclepius.core;
    requires dev.asclepius.tasks;
    requires dev.asclepius.langchain4j;
    requires dev.asclepius.llamacpp;
    requires dev.asclepius.spark;
    requires langchain4j;                       // AiServices (LangChain4jExample); no descriptor: name from the file
    requires static org.jspecify;
    requires com.google.gson;
    requires info.picocli;
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.http;
    requires org.eclipse.jetty.io;
    requires org.eclipse.jetty.util;
    requires org.slf4j;
    requires java.net.http;

    // picocli sets the commands' @Option and @Parameters fields by reflection; Gson reads the CLI's own
    // records and its Optional adapter the same way.
    opens dev.asclepius.cli to info.picocli, com.google.gson;
    opens dev.asclepius.examples to info.picocli, com.google.gson;
}
