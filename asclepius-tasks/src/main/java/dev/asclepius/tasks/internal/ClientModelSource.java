package dev.asclepius.tasks.internal;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.hub.HubModels;
import dev.asclepius.core.remote.RemoteModel;
import dev.asclepius.core.spi.ModelProviders;
import dev.asclepius.core.spi.ModelRequest;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Where a client's model comes from: exactly one per builder (the last one set wins), opened at
 * {@code build()} into the {@link ModelLease} the client holds. Keeping the source as one value is what
 * makes "model("org/x") then model(loaded)" use the loaded model: the earlier source is replaced, not left
 * behind beside it.
 */
public sealed interface ClientModelSource {

    /** Opens (loads, or takes a reference to) the model. */
    ModelLease open();

    /**
     * The source a builder opens: {@code source} with the hub settings and {@code closeModel} applied,
     * after checking that each one given applies to it.
     *
     * @throws InvalidInputException when there is no source, or a setting does not apply to it
     */
    static ClientModelSource withSettings(ClientModelSource source, HubSettings hub, boolean closeModel) {
        if (source == null) {
            throw new InvalidInputException("No model: call model(LanguageModel), model(LocalModel.Builder), "
                    + "model(Path) with a model folder, model(String) with a folder or hub id, or remote(uri, name)");
        }
        Reference ref = source instanceof Reference r ? r : null;
        if ((hub.revision().isPresent() || hub.offline().isPresent() || hub.hub().isPresent())
                && (ref == null || ref.isPath())) {
            throw new InvalidInputException("revision, offline and hub apply only when the client loads the model "
                    + "by folder or hub id (model(String))");
        }
        if (hub.ggufFile().isPresent() && ref == null) {
            throw new InvalidInputException("ggufFile names a file of the model given with model(String) or model(Path)");
        }
        if (closeModel && !(source instanceof Given)) {
            throw new InvalidInputException("closeModel applies to a model given with model(LanguageModel); the "
                    + "client always closes the models it creates itself");
        }
        if (ref != null) {
            return new Reference(ref.ref(), ref.isPath(), ref.options(), hub);
        }
        if (source instanceof Given given && closeModel) {
            return new Given(given.model(), true);
        }
        return source;
    }

    /** A loaded model; {@code owned}: whether the client closes it. */
    record Given(LanguageModel model, boolean owned) implements ClientModelSource {
        public Given {
            Objects.requireNonNull(model, "model");
        }

        @Override
        public ModelLease open() {
            return new ModelLease(model, owned);
        }
    }

    /** A local model the client builds from the caller's builder, and owns. */
    record Build(LocalModel.Builder builder) implements ClientModelSource {
        public Build {
            Objects.requireNonNull(builder, "builder");
        }

        @Override
        public ModelLease open() {
            return new ModelLease(builder.build(), true);
        }
    }

    /**
     * The model of the client a builder was derived from: one more reference to its lease.
     *
     * @param checkParentOpen throws when that client has closed (even if a sibling still holds the model)
     */
    record Shared(ModelLease lease, Runnable checkParentOpen) implements ClientModelSource {
        @Override
        public ModelLease open() {
            checkParentOpen.run();
            return lease.acquire();
        }
    }

    /** A model served by an OpenAI-compatible server, with {@link RemoteModel}'s defaults; the client owns it. */
    record Remote(URI baseUri, String modelName) implements ClientModelSource {
        public Remote {
            Objects.requireNonNull(baseUri, "baseUri");
            Objects.requireNonNull(modelName, "modelName");
        }

        @Override
        public ModelLease open() {
            return new ModelLease(RemoteModel.builder(baseUri, modelName).build(), true);
        }
    }

    /**
     * A folder, {@code .gguf} file or hub id, resolved at build time with the hub settings; a DJL checkpoint
     * loads through a {@link LocalModel.Builder} that {@code options} may configure, a GGUF model through
     * its provider on the class path (asclepius-llamacpp).
     */
    record Reference(String ref, boolean isPath, Optional<Consumer<LocalModel.Builder>> options,
                     HubSettings hub) implements ClientModelSource {
        public Reference {
            Objects.requireNonNull(ref, "ref");
            Objects.requireNonNull(options, "options");
            Objects.requireNonNull(hub, "hub");
        }

        @Override
        public ModelLease open() {
            HubModels h = hub.hub().orElseGet(HubModels::fromEnvironment);
            if (hub.offline().isPresent() && hub.offline().get() != h.offline()) {
                h = h.toBuilder().offline(hub.offline().get()).build();
            }
            ModelRequest request = new ModelRequest(ref, hub.ggufFile(), hub.revision(), OptionalInt.empty(),
                    OptionalInt.empty(), OptionalInt.empty(), h);
            if (request.wantsGguf()) {
                // a .gguf runs on llama.cpp, found on the class path so this module need not depend on it
                if (options.isPresent()) {
                    throw new InvalidInputException("The LocalModel options apply to the DJL engine, not to the GGUF model "
                            + ref + ": for llama.cpp settings build a LlamaCppModel and pass it to model(LanguageModel)");
                }
                return new ModelLease(ModelProviders.openGguf(request), true);
            }
            Path dir = isPath ? Path.of(ref) : h.locate(ref, hub.revision().orElse(null));
            LocalModel.Builder builder = LocalModel.builder(dir);
            options.ifPresent(o -> o.accept(builder));
            return new ModelLease(builder.build(), true);
        }
    }

    /** Hub settings for a {@link Reference}; each empty one takes the environment's value. */
    record HubSettings(Optional<String> ggufFile, Optional<String> revision, Optional<Boolean> offline,
                       Optional<HubModels> hub) {
        public static final HubSettings DEFAULT = new HubSettings(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());

        public HubSettings {
            Objects.requireNonNull(ggufFile, "ggufFile");
            Objects.requireNonNull(revision, "revision");
            Objects.requireNonNull(offline, "offline");
            Objects.requireNonNull(hub, "hub");
        }

    }
}
