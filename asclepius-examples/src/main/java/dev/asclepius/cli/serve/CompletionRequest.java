package dev.asclepius.cli.serve;

import dev.asclepius.core.GenerationConfig;
import java.util.Optional;

/**
 * One parsed {@code POST /v1/completions}: the prompt as text or token ids (exactly one present), the
 * generation settings (with the request's prefix-cache scope) and how to answer.
 */
record CompletionRequest(Optional<String> text, Optional<int[]> tokenIds, GenerationConfig config, boolean stream,
                         boolean includeUsage, boolean returnTokenIds) {
}
