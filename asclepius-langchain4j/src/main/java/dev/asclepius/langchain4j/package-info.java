/**
 * Any {@link dev.asclepius.core.LanguageModel} as a langchain4j {@code ChatModel}, {@code StreamingChatModel},
 * {@code LanguageModel} and {@code StreamingLanguageModel}.
 */
@NullMarked
package dev.asclepius.langchain4j;

import org.jspecify.annotations.NullMarked;
