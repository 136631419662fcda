package dev.asclepius.cli.serve;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.internal.wire.Prompt;

/**
 * One admitted {@code POST /v1/completions}: the prompt, the generation settings it maps to (with the
 * request's prefix-cache scope) and how to answer. The wire fields that do not become settings are checked
 * and dropped by {@link RequestParser}.
 */
record CompletionRequest(Prompt prompt, GenerationConfig config, boolean stream, boolean includeUsage,
                         boolean returnTokenIds) {
}
