package dev.asclepius.core;

/**
 * The Asclepius prompt, byte-exact as the authors wrote it (typo {@code languge} included). The note and
 * the instruction are inserted verbatim; the model's answer starts right after the final newline.
 */
public enum PromptTemplate {
    /**
     * The authors' inference form (416 bytes empty), with one space after {@code [Instruction End]}.
     * The default; the LLaMA-3 and Mistral variants were trained on it.
     */
    INFERENCE(" \n"),
    /** The training form of Asclepius-7B/13B and the Llama-2 variants: no space after {@code [Instruction End]}. */
    TRAINING("\n");

    private static final String HEAD = "You are an intelligent clinical languge model.\n"
            + "Below is a snippet of patient's discharge summary and a following instruction from healthcare professional.\n"
            + "Write a response that appropriately completes the instruction.\n"
            + "The response should provide the accurate answer to the instruction, while being concise.\n"
            + "\n"
            + "[Discharge Summary Begin]\n";
    private static final String MIDDLE = "\n[Discharge Summary End]\n"
            + "\n"
            + "[Instruction Begin]\n";
    private static final String TAIL = "\n[Instruction End]";

    private final String ending;

    PromptTemplate(String ending) {
        this.ending = ending;
    }

    /** The full prompt for {@code note} and {@code instruction}. */
    public String format(String note, String instruction) {
        return HEAD + note + MIDDLE + instruction + TAIL + ending;
    }

    /**
     * The part of the prompt before the instruction: identical for every instruction about the same note,
     * so its KV cache can be shared.
     */
    public String prefix(String note) {
        return HEAD + note + MIDDLE;
    }

    /** The part after the note's prefix: {@code format(n, i) == prefix(n) + suffix(i)}. */
    public String suffix(String instruction) {
        return instruction + TAIL + ending;
    }
}
