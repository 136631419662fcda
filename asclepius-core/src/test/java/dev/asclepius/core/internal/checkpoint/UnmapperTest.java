package dev.asclepius.core.internal.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Unmapper}: the FFM API on JDK 22+ (no sun.misc.Unsafe there), Unsafe before. */
class UnmapperTest {
    @TempDir
    Path tmp;

    private Path fileOfBytes(int n) throws IOException {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) (i * 7 + 3);
        }
        Path file = tmp.resolve("data.bin");
        Files.write(file, bytes);
        return file;
    }

    @Test
    void usesTheFfmApiFromJdk22AndUnsafeBefore() {
        assertThat(Unmapper.METHOD).isEqualTo(Runtime.version().feature() >= 22 ? "ffm" : "unsafe");
    }

    @Test
    void mapsTheRequestedRegion() throws IOException {
        Path file = fileOfBytes(100);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Unmapper.Mapping m = Unmapper.map(ch, 13, 20);
            ByteBuffer b = m.buffer();
            assertThat(b.remaining()).isEqualTo(20);
            for (int i = 0; i < 20; i++) {
                assertThat(b.get(i)).isEqualTo((byte) ((13 + i) * 7 + 3));
            }
            assertThat(b.isReadOnly()).isTrue();
            m.unmap();
            m.unmap();   // idempotent
        }
    }

    @Test
    void onJdk22AReadAfterUnmapFailsInsteadOfCrashing() throws IOException {
        assumeTrue(Runtime.version().feature() >= 22, "the FFM path runs on JDK 22+ only");
        Path file = fileOfBytes(64);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Unmapper.Mapping m = Unmapper.map(ch, 0, 64);
            ByteBuffer view = m.buffer().slice(8, 8);
            assertThat(view.get(0)).isEqualTo((byte) (8 * 7 + 3));
            m.unmap();
            assertThatThrownBy(() -> view.get(0)).isInstanceOf(IllegalStateException.class);
        }
    }
}
