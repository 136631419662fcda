package dev.asclepius.core;

import java.util.List;

/** The model's tokenizer: text to ids and back, with the model's special token ids. */
public interface TextTokenizer {

    /** Encodes text, adding BOS when the tokenizer config says so ({@code add_bos_token}). */
    int[] encode(String text);

    /** Decodes ids to text, skipping special tokens (BOS, EOS, UNK). */
    String decode(int[] ids);

    /** Splits text into its token strings (for display and debugging). */
    List<String> tokens(String text);

    int bosId();

    /** The end-of-sequence id that stops generation (the tokenizer's, never a wrong config value). */
    int eosId();

    int vocabSize();
}
