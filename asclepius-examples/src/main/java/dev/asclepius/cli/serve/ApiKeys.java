package dev.asclepius.cli.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** The accepted API keys, kept only as SHA-256 digests so that comparing them takes the same time for any key. */
final class ApiKeys {
    private final List<byte[]> digests;

    ApiKeys(List<String> keys) {
        this.digests = keys.stream().map(ApiKeys::sha256).toList();
    }

    /** Whether requests to /v1/* must carry a key (none configured: the server is open). */
    boolean required() {
        return !digests.isEmpty();
    }

    /** Whether the Authorization header value carries an accepted key. */
    boolean accepts(String authorization) {
        return matching(authorization).isPresent();
    }

    /**
     * The hex digest of the accepted key in the Authorization header, "" when there is none: the key's part
     * of the prefix-cache scope (a digest, so the key itself is never kept with cache entries).
     */
    String scopeOf(String authorization) {
        return matching(authorization).map(d -> HexFormat.of().formatHex(d)).orElse("");
    }

    /**
     * The presented key's digest when it matches an accepted key, compared in constant time
     * ({@link MessageDigest#isEqual} over fixed-length digests, every key compared): the time taken says
     * nothing about how many leading characters were right, nor about the key's length.
     */
    private Optional<byte[]> matching(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] presented = sha256(authorization.substring(7).trim());
        byte[] match = null;
        for (byte[] key : digests) {
            if (MessageDigest.isEqual(key, presented)) {
                match = key;
            }
        }
        return Optional.ofNullable(match);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
