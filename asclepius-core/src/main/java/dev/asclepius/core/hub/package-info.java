/**
 * The Hugging Face hub cache: {@link dev.asclepius.core.hub.HubModels} resolves {@code org/name} at a revision
 * to a snapshot folder in the same cache layout as {@code huggingface_hub}, downloading what is missing.
 */
@NullMarked
package dev.asclepius.core.hub;

import org.jspecify.annotations.NullMarked;
