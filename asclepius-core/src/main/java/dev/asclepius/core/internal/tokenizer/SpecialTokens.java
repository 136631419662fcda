package dev.asclepius.core.internal.tokenizer;

import com.google.gson.JsonObject;
import dev.asclepius.core.CheckpointException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * BOS/EOS tokens, their ids and whether encode adds them, decided the way transformers does for LLaMA
 * tokenizers: {@code tokenizer_config.json} first, then {@code special_tokens_map.json}, then {@code <s>}/{@code </s>}
 * in the vocabulary. {@code config.json}'s {@code bos_token_id}/{@code eos_token_id} are deliberately ignored:
 * Asclepius-7B's say 0/1, but the model was trained with {@code <s>}=1 and stops on {@code </s>}=2.
 */
record SpecialTokens(String bosToken, int bosId, String eosToken, int eosId, boolean addBos, boolean addEos,
        int vocabSize) {

    static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";

    /** The first and last ids that the tokenizer.json post-processor puts around a text (-1: none). */
    record Probe(int first, int last) {
    }

    static SpecialTokens resolve(Path modelDir, Vocabulary vocab, Probe postProcessor) {
        JsonObject config = JsonFiles.readOptional(modelDir.resolve(TOKENIZER_CONFIG));
        JsonObject map = JsonFiles.readOptional(modelDir.resolve(SPECIAL_TOKENS_MAP));
        String bos = pick(config, map, "bos_token", "<s>");
        String eos = pick(config, map, "eos_token", "</s>");
        int bosId = idOf(vocab, bos, "bos_token", modelDir);
        int eosId = idOf(vocab, eos, "eos_token", modelDir);
        // Without an explicit flag, follow what the tokenizer.json itself does (e.g. Llama-3 ships no add_bos_token).
        boolean addBos = JsonFiles.bool(config, "add_bos_token").orElse(postProcessor.first() == bosId);
        boolean addEos = JsonFiles.bool(config, "add_eos_token").orElse(postProcessor.last() == eosId);
        return new SpecialTokens(bos, bosId, eos, eosId, addBos, addEos, vocab.size());
    }

    private static String pick(JsonObject config, JsonObject map, String name, String fallback) {
        Optional<String> token = JsonFiles.token(config, name);
        return token.or(() -> JsonFiles.token(map, name)).orElse(fallback);
    }

    private static int idOf(Vocabulary vocab, String token, String role, Path modelDir) {
        int id = vocab.id(token);
        if (id < 0) {
            throw new CheckpointException("The " + role + " '" + token + "' (from " + TOKENIZER_CONFIG + ", "
                    + SPECIAL_TOKENS_MAP + " or the LLaMA default) is not in the vocabulary of "
                    + modelDir.resolve(HfTextTokenizer.TOKENIZER_FILE).toAbsolutePath());
        }
        return id;
    }
}
