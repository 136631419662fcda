/**
 * The OpenAI completions protocol as this project speaks it, written once for the client
 * ({@code dev.asclepius.core.remote.RemoteModel}) and the server ({@code asclepius serve}): records for the
 * request, response/chunk, choice, usage and error body; {@link dev.asclepius.core.internal.wire.CompletionCodec},
 * the one Gson codec that writes them and reads them strictly; {@link dev.asclepius.core.internal.wire.SseReader}
 * and {@link dev.asclepius.core.internal.wire.SseWriter} for server-sent events as the HTML standard defines
 * them; and {@link dev.asclepius.core.internal.wire.RetryPolicy}, the one retry schedule (backoff, full jitter,
 * Retry-After) for the remote model and the hub downloader. Internal: not part of the public API.
 */
package dev.asclepius.core.internal.wire;
