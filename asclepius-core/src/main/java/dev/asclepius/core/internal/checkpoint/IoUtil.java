package dev.asclepius.core.internal.checkpoint;

import dev.asclepius.core.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Positional reads of small regions (headers, zip directories); tensor data is mapped, never read. */
final class IoUtil {
    private IoUtil() {}

    static ByteBuffer readFully(FileChannel channel, long position, int length, Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position + buf.position());
            if (n < 0) {
                throw new CheckpointException("File " + file + " is truncated: expected " + length
                        + " bytes at offset " + position + ".");
            }
        }
        return buf.flip();
    }
}
