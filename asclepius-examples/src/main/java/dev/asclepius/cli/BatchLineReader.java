package dev.asclepius.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of a file as raw bytes (without the \n and a \r before it), numbered from 1: decoding is left
 * to each line, so one bad byte spoils only its own line.
 */
final class BatchLineReader implements AutoCloseable {
    private final java.io.InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    private long number;

    BatchLineReader(Path file) throws IOException {
        in = Files.newInputStream(file);
    }

    /** The next line's bytes, or null at the end of the file. */
    byte[] next() throws IOException {
        line.reset();
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) {
                        return null;
                    }
                    break;
                }
            }
            any = true;
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            line.write(buffer, start, position - start);
            if (position < limit) {
                position++;   // the \n
                break;
            }
        }
        number++;
        byte[] bytes = line.toByteArray();
        int n = bytes.length;
        return n > 0 && bytes[n - 1] == '\r' ? java.util.Arrays.copyOf(bytes, n - 1) : bytes;
    }

    long number() {
        return number;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
