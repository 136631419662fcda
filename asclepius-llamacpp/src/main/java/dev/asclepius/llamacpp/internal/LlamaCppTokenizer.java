package dev.asclepius.llamacpp.internal;

import de.kherud.llama.LlamaModel;
import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The GGUF file's own tokenizer: llama.cpp encodes and decodes (so a downloaded GGUF needs no tokenizer.json),
 * the vocabulary and special ids come from the file's metadata. It also maps a generated text piece back
 * to its token id, which the binding does not report.
 */
public final class LlamaCppTokenizer implements TextTokenizer {
    private static final int NORMAL = 1;
    private static final int CONTROL = 3;

    private final List<String> tokens;
    private final int[] types;
    private final boolean sentencePiece;
    private final int bos;
    private final int eos;
    private final boolean addBos;
    private final Map<String, Integer> idOfPiece = new HashMap<>();
    private final Integer[] byteTokens = new Integer[256];
    private final int maxPieceLength;
    private volatile LlamaModel llama;
    private volatile boolean detached;

    private LlamaCppTokenizer(List<String> tokens, int[] types, boolean sentencePiece, int bos, int eos, boolean addBos) {
        this.tokens = tokens;
        this.types = types;
        this.sentencePiece = sentencePiece;
        this.bos = bos;
        this.eos = eos;
        this.addBos = addBos;
        int longest = 1;
        for (int id = 0; id < tokens.size(); id++) {
            String t = tokens.get(id);
            if (sentencePiece && types[id] == 6 && t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
                byteTokens[Integer.parseInt(t.substring(3, 5), 16)] = id;
            }
            longest = Math.max(longest, t.length());
        }
        this.maxPieceLength = longest;
        // normal pieces first, so a piece a byte token would also print maps to the normal token
        for (int pass = 0; pass < 2; pass++) {
            for (int id = 0; id < tokens.size(); id++) {
                boolean normal = types[id] == NORMAL;
                if ((pass == 0) == normal && types[id] != CONTROL) {
                    idOfPiece.putIfAbsent(piece(id), id);
                }
            }
        }
    }

    /** Reads the vocabulary and special ids from {@code gguf}. */
    public static LlamaCppTokenizer of(GgufFile gguf) {
        List<Object> rawTokens = gguf.get("tokenizer.ggml.tokens").filter(List.class::isInstance).map(l -> (List<Object>) l)
                .orElseThrow(() -> new CheckpointException(gguf.path() + " has no tokenizer.ggml.tokens: it is not a"
                        + " complete llama.cpp model file (convert it again with `asclepius convert`)"));
        List<String> tokens = new ArrayList<>(rawTokens.size());
        for (Object o : rawTokens) {
            tokens.add((String) o);
        }
        int[] types = new int[tokens.size()];
        Arrays.fill(types, NORMAL);
        gguf.get("tokenizer.ggml.token_type").filter(List.class::isInstance).ifPresent(l -> {
            List<?> list = (List<?>) l;
            for (int i = 0; i < Math.min(types.length, list.size()); i++) {
                types[i] = ((Long) list.get(i)).intValue();
            }
        });
        boolean spm = gguf.string("tokenizer.ggml.model").orElse("llama").equals("llama");
        int bos = gguf.integer("tokenizer.ggml.bos_token_id").map(Long::intValue).orElse(1);
        int eos = gguf.integer("tokenizer.ggml.eos_token_id").map(Long::intValue).orElse(2);
        if (spm && tokens.size() == 32000) {
            // LLaMA-1/2 vocabulary: some published configs name a wrong EOS; </s> (id 2) is what the model emits
            eos = 2;
        }
        boolean addBos = gguf.get("tokenizer.ggml.add_bos_token").map(Boolean.TRUE::equals).orElse(true);
        return new LlamaCppTokenizer(List.copyOf(tokens), types, spm, bos, eos, addBos);
    }

    /**
     * Whether the decoded text drops the space the first generated piece starts with, as the Hugging Face
     * SentencePiece decoder (and so the DJL engine) does.
     */
    public boolean stripsLeadingSpace() {
        return sentencePiece;
    }

    public void attach(LlamaModel model) {
        this.llama = model;
    }

    public void detach() {
        detached = true;
    }

    public boolean detached() {
        return detached;
    }

    /** The text a token prints as a generated piece. */
    private String piece(int id) {
        String t = tokens.get(id);
        if (!sentencePiece) {
            return byteLevelText(t);
        }
        if (t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
            int b = Integer.parseInt(t.substring(3, 5), 16);
            return b < 0x80 ? String.valueOf((char) b) : t;
        }
        return t.replace('\u2581', ' ');
    }

    /**
     * The ids of the tokens that produced {@code piece}: one id when a single token prints it (the usual
     * case); otherwise the piece is split into the longest pieces single tokens print, and a character no
     * token prints alone into its UTF-8 byte tokens (llama.cpp sends a character sampled as byte tokens
     * only once it is complete). An empty piece is the end of generation.
     */
    public List<Integer> idsOf(String piece) {
        if (piece.isEmpty()) {
            return List.of(eos);
        }
        Integer whole = idOfPiece.get(piece);
        if (whole != null) {
            return List.of(whole);
        }
        List<Integer> ids = new ArrayList<>();
        int p = 0;
        while (p < piece.length()) {
            int end = -1;
            for (int q = Math.min(piece.length(), p + maxPieceLength); q > p; q--) {
                if (idOfPiece.containsKey(piece.substring(p, q))) {
                    end = q;
                    break;
                }
            }
            if (end > 0) {
                ids.add(idOfPiece.get(piece.substring(p, end)));
                p = end;
                continue;
            }
            int cp = piece.codePointAt(p);
            int next = p + Character.charCount(cp);
            for (byte b : piece.substring(p, next).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                Integer byteId = byteTokens[b & 0xFF];
                if (byteId == null) { // no byte tokens (byte-level vocabularies spell every byte): ask llama.cpp
                    int[] enc = model().encode(piece.substring(p, next));
                    for (int e : enc) {
                        ids.add(e);
                    }
                    break;
                }
                ids.add(byteId);
            }
            p = next;
        }
        return ids.isEmpty() ? List.of(eos) : ids;
    }

    private LlamaModel model() {
        LlamaModel m = llama;
        if (m == null || detached) {
            throw new ModelClosedException("The llama.cpp model of this tokenizer is closed");
        }
        return m;
    }

    @Override
    public int[] encode(String text) {
        int[] ids = model().encode(text);
        if (!addBos) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    @Override
    public String decode(int[] ids) {
        int[] kept = Arrays.stream(ids).filter(id -> id >= 0 && id < types.length && types[id] != CONTROL
                && types[id] != 2).toArray();
        return kept.length == 0 ? "" : model().decode(kept);
    }

    @Override
    public List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (int id : encode(text)) {
            out.add(tokens.get(id));
        }
        return out;
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public int vocabSize() {
        return tokens.size();
    }

    /**
     * The text of a byte-level BPE token (GPT-2/Llama-3 vocabularies spell each byte as one printable
     * character: bytes 33-126, 161-172 and 174-255 as themselves, the other 68 as U+0100 onwards, in order).
     */
    static String byteLevelText(String token) {
        byte[] out = new byte[token.length()];
        int n = 0;
        for (int i = 0; i < token.length(); i++) {
            int c = token.charAt(i);
            int b = BYTE_OF_CHAR.getOrDefault(c, -1);
            if (b < 0) {
                return token; // not a byte-level spelling (an added token): its text is itself
            }
            out[n++] = (byte) b;
        }
        return new String(out, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static final Map<Integer, Integer> BYTE_OF_CHAR = new HashMap<>();

    static {
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            BYTE_OF_CHAR.put(printable ? b : next++, b);
        }
    }
}
