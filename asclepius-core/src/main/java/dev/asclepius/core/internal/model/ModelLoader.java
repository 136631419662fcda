package dev.asclepius.core.internal.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.ComputeType;
import dev.asclepius.core.EngineException;
import dev.asclepius.core.LoadListener;
import dev.asclepius.core.internal.checkpoint.Checkpoint;
import dev.asclepius.core.internal.tokenizer.HfTextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a Hugging Face model folder into native memory: config.json, the tokenizer and the weights, on one
 * device in one compute type. On failure everything opened so far is closed again, so a failed load leaks
 * neither native memory nor file mappings.
 */
public final class ModelLoader {
    private ModelLoader() {
    }

    /**
     * What a load produced; the caller owns {@code manager} (the weights) and {@code tokenizer}.
     *
     * @param format the checkpoint's format, for the log line
     */
    public record Loaded(ModelConfig config, HfTextTokenizer tokenizer, NDManager manager, LlamaModel model,
                         String format) {
    }

    /** @param decodeThreads threads a decode step will use (they decide the CPU kernels: {@link CpuKernels}) */
    public static Loaded load(Path dir, ai.djl.Device device, ComputeType computeType, LoadListener listener,
                              int decodeThreads) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException("Model folder " + dir + " does not exist or is not a folder: pass the folder "
                    + "that holds config.json, tokenizer.json and the weights (e.g. a download of starmpcc/Asclepius-7B).");
        }
        ModelConfig config = ModelConfig.read(dir);
        HfTextTokenizer tokenizer = HfTextTokenizer.load(dir);
        NDManager manager = null;
        // The checkpoint is closed once the weights are loaded: file mappings that no weight still views
        // (only the CPU embedding does) are then released, so the process does not keep the whole file
        // resident next to its converted copy.
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            manager = NDManager.newBaseManager(device, "PyTorch");
            DataType dtype = computeType == ComputeType.F16 ? DataType.FLOAT16 : DataType.FLOAT32;
            LlamaWeights weights = LlamaWeights.load(checkpoint, config, device, dtype, manager, listener);
            return new Loaded(config, tokenizer, manager, new LlamaModel(config, weights,
                    CpuKernels.fromSystemProperties(decodeThreads)), checkpoint.format());
        } catch (RuntimeException e) {
            if (manager != null) {
                manager.close();
            }
            tokenizer.close();
            if (e instanceof ai.djl.engine.EngineException) {
                throw new EngineException("PyTorch failed while loading the weights of " + dir + ": " + e.getMessage()
                        + " (if PYTORCH_LIBRARY_PATH points at a libtorch other than 2.7.1, DJL 0.36's JNI layer may not"
                        + " work with it; see docs/gpu.md)", e);
            }
            throw e;
        }
    }
}
