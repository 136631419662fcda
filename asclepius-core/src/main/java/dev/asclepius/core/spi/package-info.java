/**
 * The provider SPI: backends that load models the core engine does not run itself (llama.cpp's GGUF files)
 * register a {@link dev.asclepius.core.spi.ModelProvider} with {@link java.util.ServiceLoader}.
 */
@NullMarked
package dev.asclepius.core.spi;

import org.jspecify.annotations.NullMarked;
