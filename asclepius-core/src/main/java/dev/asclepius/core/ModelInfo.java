package dev.asclepius.core;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Facts about a model, with what is not known left absent rather than filled with zeros: a remote model
 * ({@code RemoteModel}) knows its server and name and its context length, but not its shape, and its
 * vocabulary only when a local tokenizer was given; a local model knows everything.
 *
 * <pre>{@code
 * ModelInfo info = model.info();
 * String where = info.source() instanceof ModelSource.Remote r ? r.endpoint().toString() : info.source().toString();
 * info.shape().ifPresent(s -> System.out.println(s.layers() + " layers, " + s.parameters() + " parameters"));
 * }</pre>
 *
 * @param source        where the model came from: a local folder or file, or a server endpoint and model name
 * @param modelType     {@code llama} or {@code mistral} for local models; {@code remote} for a served one
 * @param shape         the transformer's sizes, when known (always for local models, never for remote ones)
 * @param vocabSize     vocabulary size, when known (a remote model knows it only from a local tokenizer)
 * @param contextLength most tokens (prompt + generated) the model handles (for a remote model: as configured)
 * @param device        where it runs, when it runs in this process
 * @param computeType   weight and compute type, when it runs in this process
 */
public record ModelInfo(
        ModelSource source,
        String modelType,
        Optional<ModelShape> shape,
        OptionalInt vocabSize,
        int contextLength,
        Optional<Device> device,
        Optional<ComputeType> computeType) {

    public ModelInfo {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(vocabSize, "vocabSize");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(computeType, "computeType");
    }

    /** A model loaded in this process from {@code path}, where everything is known. */
    public static ModelInfo local(Path path, String modelType, ModelShape shape, int vocabSize, int contextLength,
                                  Device device, ComputeType computeType) {
        return new ModelInfo(new ModelSource.Local(path), modelType, Optional.of(shape), OptionalInt.of(vocabSize),
                contextLength, Optional.of(device), Optional.of(computeType));
    }

    /** A model served at {@code endpoint} as {@code modelName}: shape, device and compute type unknown. */
    public static ModelInfo remote(URI endpoint, String modelName, OptionalInt vocabSize, int contextLength) {
        return new ModelInfo(new ModelSource.Remote(endpoint, modelName), "remote", Optional.empty(), vocabSize,
                contextLength, Optional.empty(), Optional.empty());
    }
}
