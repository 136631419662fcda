package dev.asclepius.core.internal.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.EngineException;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.TextTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A model folder's {@code tokenizer.json} run by DJL's HuggingFace tokenizers binding.
 *
 * <p>BOS/EOS come from {@code tokenizer_config.json} / {@code special_tokens_map.json} (see {@link SpecialTokens}),
 * never from {@code config.json}: Asclepius-7B's config says bos 0 / eos 1, which are wrong. The native
 * tokenizer is always asked for the bare token ids (no post-processor) and BOS/EOS are added here, so a
 * {@code tokenizer.json} whose post-processor already adds BOS cannot double it: {@link #encode} starts with
 * exactly one BOS iff {@code add_bos_token}.
 *
 * <p>Thread-safety: encode/decode may run concurrently (the Rust tokenizer's encode and decode take it
 * immutably; its BPE cache is internally locked). The one unsafe thing is freeing the native handle while a
 * call is inside it, so calls hold a read lock and {@link #close()} takes the write lock.
 */
public final class HfTextTokenizer implements TextTokenizer, AutoCloseable {
    static final String TOKENIZER_FILE = "tokenizer.json";

    /**
     * Truncation and padding off: DJL's default silently truncates at 512 tokens. No special tokens from the
     * native side (added here instead) and no lower-casing; {@code newInstance(InputStream, ...)} also skips
     * DJL's own reading of tokenizer_config.json, whose side effects (clean-up of spaces, accent stripping)
     * would change the text.
     */
    private static final Map<String, String> OPTIONS = Map.of(
            "truncation", "false",
            "padding", "false",
            "addSpecialTokens", "false",
            "doLowerCase", "false");

    private final HuggingFaceTokenizer hf;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final SpecialTokens special;
    private boolean closed;

    private HfTextTokenizer(HuggingFaceTokenizer hf, SpecialTokens special) {
        this.hf = hf;
        this.special = special;
    }

    /** Loads {@code modelDir/tokenizer.json} and the special-token settings beside it. */
    public static HfTextTokenizer load(Path modelDir) {
        PyTorchRuntime.ensureOffline(); // DJL would otherwise try to fetch a CUDA tokenizers build on GPU boxes
        Path file = modelDir.resolve(TOKENIZER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("No " + TOKENIZER_FILE + " in model folder " + modelDir.toAbsolutePath()
                    + ": expected " + file.toAbsolutePath() + " (the HuggingFace fast-tokenizer file shipped with"
                    + " the model; convert a tokenizer.model with transformers' LlamaTokenizerFast if only that exists).");
        }
        Vocabulary vocab = Vocabulary.read(file);
        HuggingFaceTokenizer hf;
        try (InputStream in = Files.newInputStream(file)) {
            hf = HuggingFaceTokenizer.newInstance(in, OPTIONS);
        } catch (ai.djl.engine.EngineException e) { // the native tokenizers library did not load
            throw new EngineException("Cannot load DJL's HuggingFace tokenizers native library: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("Cannot load " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        try {
            return new HfTextTokenizer(hf, SpecialTokens.resolve(modelDir, vocab, postProcessorProbe(hf)));
        } catch (RuntimeException e) {
            hf.close();
            throw e;
        }
    }

    /** What the tokenizer.json's own post-processor adds around a text: the default when the config is silent. */
    private static SpecialTokens.Probe postProcessorProbe(HuggingFaceTokenizer hf) {
        long[] bare = hf.encode("a", false, false).getIds();
        long[] processed = hf.encode("a", true, false).getIds();
        long first = processed.length > bare.length ? processed[0] : -1;
        long last = processed.length > bare.length ? processed[processed.length - 1] : -1;
        return new SpecialTokens.Probe((int) first, (int) last);
    }

    @Override
    public int[] encode(String text) {
        long[] bare = bareEncoding(text).getIds();
        int start = special.addBos() ? 1 : 0;
        int[] ids = new int[start + bare.length + (special.addEos() ? 1 : 0)];
        if (special.addBos()) {
            ids[0] = special.bosId();
        }
        for (int i = 0; i < bare.length; i++) {
            ids[start + i] = Math.toIntExact(bare[i]);
        }
        if (special.addEos()) {
            ids[ids.length - 1] = special.eosId();
        }
        return ids;
    }

    /** The token strings of {@link #encode(String)}, one per id (BOS/EOS included when encode adds them). */
    @Override
    public List<String> tokens(String text) {
        String[] bare = bareEncoding(text).getTokens();
        List<String> out = new ArrayList<>(bare.length + 2);
        if (special.addBos()) {
            out.add(special.bosToken());
        }
        out.addAll(Arrays.asList(bare));
        if (special.addEos()) {
            out.add(special.eosToken());
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        Lock lock = openLock();
        try {
            return hf.decode(longs, true);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int bosId() {
        return special.bosId();
    }

    @Override
    public int eosId() {
        return special.eosId();
    }

    /** Whether {@link #encode} starts with BOS ({@code add_bos_token}). */
    public boolean addsBos() {
        return special.addBos();
    }

    @Override
    public int vocabSize() {
        return special.vocabSize();
    }

    /** Frees the native tokenizer; waits for calls in flight. Later calls throw {@link ModelClosedException}. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                hf.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private Encoding bareEncoding(String text) {
        Lock lock = openLock();
        try {
            return hf.encode(text, false, false);
        } finally {
            lock.unlock();
        }
    }

    private Lock openLock() {
        Lock lock = lifecycle.readLock();
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new ModelClosedException("The model this tokenizer belongs to has been closed, and its tokenizer with it: "
                    + "load the model again (or build a new RemoteModel) to encode or decode.");
        }
        return lock;
    }
}
