package dev.asclepius.cli.serve;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.internal.wire.CompletionCodec;
import dev.asclepius.core.internal.wire.Prompt;
import dev.asclepius.core.internal.wire.WireException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * A {@code POST /v1/completions} body into a {@link CompletionRequest}: strict UTF-8, then the shared wire
 * codec ({@link CompletionCodec#readRequest}: strict JSON, every field's type), then what this server adds:
 * the model name, a text prompt too long to fit the context refused before it is tokenized, the fields it
 * does not implement refused by name, the prefix-cache scope taken from the API key and {@code cache_salt},
 * and the mapping to a {@link GenerationConfig}. Every refusal is a {@link BadRequest} naming the field.
 */
final class RequestParser {
    /** The longest cache_salt accepted: a salt is an opaque identifier, not data. */
    private static final int MAX_SALT_CHARS = 256;
    private static final String SALT_RULE = "'cache_salt' must be a non-empty string of at most " + MAX_SALT_CHARS
            + " characters";
    private static final String LOGPROBS_REFUSED = "'logprobs' is not supported";

    private final LanguageModel model;
    private final String modelName;
    private final ApiKeys keys;
    private final int maxPromptBytes;           // a text prompt longer than this cannot fit the context

    RequestParser(LanguageModel model, String modelName, ApiKeys keys) {
        this.model = model;
        this.modelName = modelName;
        this.keys = keys;
        this.maxPromptBytes = maxPromptBytes(model);
    }

    /**
     * The most UTF-8 bytes a text prompt that fits the context can have: each token stands for at most
     * the longest token's bytes (+1 for the space SentencePiece folds into a token), doubled for margin.
     * A prompt longer than this is refused without being tokenized (tokenizing 50 MB took minutes).
     */
    private static int maxPromptBytes(LanguageModel model) {
        int longest = 16;
        try {
            // no local tokenizer (a remote model): the fixed bound below
            dev.asclepius.core.TextTokenizer tokenizer = model.tokenizer()
                    .orElseThrow(() -> new IllegalStateException("no tokenizer"));
            int vocab = tokenizer.vocabSize();
            for (int id = 0; id < vocab; id++) {
                longest = Math.max(longest, tokenizer.decode(new int[] {id}).getBytes(StandardCharsets.UTF_8).length + 1);
            }
        } catch (RuntimeException e) {
            longest = 64;   // a tokenizer that cannot decode single ids: a generous fixed bound
        }
        return (int) Math.min(Integer.MAX_VALUE, 2L * longest * model.info().contextLength());
    }

    /**
     * Strict UTF-8 and strict JSON (RFC 8259: no single quotes, comments, unquoted keys, NaN or trailing
     * text) into a request. {@code http} gives the API key, which with {@code cache_salt} picks the
     * prefix-cache scope.
     */
    CompletionRequest parse(byte[] body, Request http) throws BadRequest {
        dev.asclepius.core.internal.wire.CompletionRequest r;
        try {
            r = CompletionCodec.readRequest(utf8(body));
        } catch (WireException e) {
            // For these two the server's own rule says more than the codec's type error.
            String field = e.field().orElse("");
            throw new BadRequest(switch (field) {
                case "cache_salt" -> SALT_RULE;
                case "logprobs" -> LOGPROBS_REFUSED;
                default -> e.getMessage();
            }, field.isEmpty() ? null : field);
        }
        if (r.model().isPresent() && !r.model().get().equals(modelName)) {
            throw new BadRequest(404, "The model `" + r.model().get() + "` does not exist. This server serves `"
                    + modelName + "`.", "model", "model_not_found");
        }
        if (r.prompt() instanceof Prompt.Text text) {
            int bytes = text.value().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxPromptBytes) {
                throw new BadRequest(400, "This model's maximum context length is " + model.info().contextLength()
                        + " tokens. However, your prompt is " + bytes + " bytes, more than any prompt of that many "
                        + "tokens (" + maxPromptBytes + " bytes at most). Please reduce the length of the input.",
                        "prompt", "context_length_exceeded");
            }
        }
        if (r.n() != 1 || r.bestOf() != 1) {
            throw new BadRequest("Only n = 1 and best_of = 1 are supported", "n");
        }
        if (r.echo()) {
            throw new BadRequest("'echo' is not supported", "echo");
        }
        if (r.logprobs().isPresent()) {
            throw new BadRequest(LOGPROBS_REFUSED, "logprobs");
        }
        return new CompletionRequest(r.prompt(), config(r, http), r.stream(), r.includeUsage(), r.returnTokenIds());
    }

    /** Strict UTF-8: a malformed byte is a 400, not a replacement character in the prompt. */
    private static String utf8(byte[] bytes) throws BadRequest {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequest("The request body is not valid UTF-8", null);
        }
    }

    /** The request's sampling and stop fields as settings; a value the engine refuses is a 400. */
    private GenerationConfig config(dev.asclepius.core.internal.wire.CompletionRequest r, Request http)
            throws BadRequest {
        GenerationConfig.Builder b = GenerationConfig.builder()
                .maxNewTokens(r.maxTokens())
                .temperature(r.temperature())
                .topP(r.topP())
                .repetitionPenalty(r.repetitionPenalty())
                .ignoreEos(r.ignoreEos())
                .topK(Math.max(0, r.topK()));   // vLLM: -1 (or 0) disables
        r.seed().ifPresent(b::seed);
        b.stopStrings(r.stop());
        b.stopTokenIds(new HashSet<>(r.stopTokenIds()));
        b.cacheScope(cacheScope(http, r.cacheSalt().orElse(null)));
        try {
            return b.build();
        } catch (InvalidInputException e) {
            throw new BadRequest(e.getMessage(), null);
        }
    }

    /**
     * The prefix-cache scope of a request: its API key (by digest) and its {@code cache_salt}, so that cached
     * keys and values, and the cached_tokens count that reveals them, are shared only between requests
     * with the same key and salt. Without keys and salt: the one shared scope.
     */
    private String cacheScope(Request http, String salt) throws BadRequest {
        String s = "";
        if (salt != null) {
            if (salt.isEmpty() || salt.length() > MAX_SALT_CHARS) {
                throw new BadRequest(SALT_RULE, "cache_salt");
            }
            s = salt;
        }
        String key = keys.scopeOf(http.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (key.isEmpty() && s.isEmpty()) {
            return "";
        }
        // Lengths first: no key+salt pair can spell another pair's scope.
        return "key:" + key.length() + ":" + key + ";salt:" + s.length() + ":" + s;
    }
}
