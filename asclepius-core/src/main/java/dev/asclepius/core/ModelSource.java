package dev.asclepius.core;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/** Where a model came from: a local folder or file ({@link Local}) or a model server ({@link Remote}). */
public sealed interface ModelSource {

    /** A short name: the folder or file name of a local model, the served name of a remote one. */
    String name();

    /** A checkpoint folder or model file on this machine. */
    record Local(Path path) implements ModelSource {
        public Local {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String name() {
            Path file = path.getFileName();
            return file == null ? path.toString() : file.toString();
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /** A model served over HTTP at {@code endpoint} under {@code modelName} (as the server knows it). */
    record Remote(URI endpoint, String modelName) implements ModelSource {
        public Remote {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(modelName, "modelName");
        }

        @Override
        public String name() {
            return modelName;
        }

        @Override
        public String toString() {
            return modelName + " at " + endpoint;
        }
    }
}
