/**
 * Asclepius tasks as Spark column functions and partition mappers.
 *
 * <p>Spark 4's jars cannot be modules: they have no Automatic-Module-Name and their file names
 * ({@code spark-sql_2.13-4.0.1.jar}) give no valid module name ("2" is not a Java identifier), so Spark
 * stays on the class path and this module reads it as the unnamed module ({@code --add-reads
 * dev.asclepius.spark=ALL-UNNAMED} in this module's pom). The SDK's own modules are still on the module
 * path, so the compiler still refuses any use of their unexported packages. Spark itself runs everything
 * on the class path, where this descriptor is not read.
 */
@SuppressWarnings("module") // qualified exports in core name this module before it exists
module dev.asclepius.spark {
    requires transitive dev.asclepius.tasks;
    requires static transitive org.jspecify;
    requires com.google.gson;
    requires java.net.http;

    exports dev.asclepius.spark;
}
