package dev.asclepius.core.internal.checkpoint;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.Cleaner;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Maps file regions that can be unmapped at once instead of when the garbage collector finds them
 * unreachable: mapped bytes do not pressure the Java heap, so without this a loaded model would keep its
 * whole weight file resident.
 *
 * <p>On JDK 22+ through the FFM API (called reflectively: this code compiles for Java 17): each region is
 * mapped in its own shared {@code Arena}, which {@link Mapping#unmap()} closes; a region never unmapped
 * is closed by a {@link Cleaner} once no buffer views it. On JDK 17-21 with
 * {@code sun.misc.Unsafe.invokeCleaner}, which JDK 24+ warns about and which is therefore never touched on
 * 22+; where neither is available a mapping is left to the collector.
 */
final class Unmapper {
    /** How mappings are made and released here: "ffm", "unsafe" or "gc" (for tests and diagnostics). */
    static final String METHOD;

    private static final Cleaner CLEANER = Cleaner.create();
    private static final MethodHandle OF_SHARED;       // () Arena
    private static final MethodHandle MAP_SEGMENT;     // (FileChannel, MapMode, long, long, Arena) MemorySegment
    private static final MethodHandle AS_BYTE_BUFFER;  // (MemorySegment) ByteBuffer
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        MethodHandle ofShared = null;
        MethodHandle map = null;
        MethodHandle asBuffer = null;
        Object unsafe = null;
        Method invoke = null;
        String method = "gc";
        if (Runtime.version().feature() >= 22) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> arena = Class.forName("java.lang.foreign.Arena");
                Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                ofShared = lookup.findStatic(arena, "ofShared", MethodType.methodType(arena));
                map = lookup.findVirtual(FileChannel.class, "map", MethodType.methodType(segment,
                        FileChannel.MapMode.class, long.class, long.class, arena));
                asBuffer = lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class));
                method = "ffm";
            } catch (ReflectiveOperationException | RuntimeException e) {
                ofShared = null;
                map = null;
                asBuffer = null;
            }
        } else {
            try {
                Class<?> type = Class.forName("sun.misc.Unsafe");
                Field field = type.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                unsafe = field.get(null);
                invoke = type.getMethod("invokeCleaner", ByteBuffer.class);
                method = "unsafe";
            } catch (ReflectiveOperationException | RuntimeException e) {
                unsafe = null;
                invoke = null;
            }
        }
        OF_SHARED = ofShared;
        MAP_SEGMENT = map;
        AS_BYTE_BUFFER = asBuffer;
        UNSAFE = unsafe;
        INVOKE_CLEANER = invoke;
        METHOD = method;
    }

    private Unmapper() {
    }

    /** A read-only mapped region and the way to unmap it. */
    interface Mapping {
        /** The mapped bytes (big-endian, as any new buffer). */
        ByteBuffer buffer();

        /**
         * Unmaps now; the caller guarantees nothing reads the buffer (or a view of it) any more. On JDK 22+
         * a later read throws {@code IllegalStateException}; before, it may crash the JVM. Idempotent.
         */
        void unmap();
    }

    /** Maps {@code length} bytes of {@code channel} from {@code offset}, read-only. */
    static Mapping map(FileChannel channel, long offset, long length) throws IOException {
        if (MAP_SEGMENT != null) {
            return mapSegment(channel, offset, length);
        }
        MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
        AtomicBoolean done = new AtomicBoolean();
        return new Mapping() {
            @Override
            public ByteBuffer buffer() {
                return buffer;
            }

            @Override
            public void unmap() {
                if (INVOKE_CLEANER != null && done.compareAndSet(false, true)) {
                    try {
                        INVOKE_CLEANER.invoke(UNSAFE, buffer);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        // Left to the garbage collector.
                    }
                }
            }
        };
    }

    private static Mapping mapSegment(FileChannel channel, long offset, long length) throws IOException {
        AutoCloseable arena;
        ByteBuffer buffer;
        try {
            arena = (AutoCloseable) OF_SHARED.invoke();
            Object segment = MAP_SEGMENT.invoke(channel, FileChannel.MapMode.READ_ONLY, offset, length, arena);
            buffer = (ByteBuffer) AS_BYTE_BUFFER.invoke(segment);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("Cannot map " + length + " bytes at " + offset + ": " + e, e);
        }
        // Every view (slice, duplicate, read-only copy) keeps this buffer reachable, so the arena outlives
        // all readers when the Cleaner closes it; the action must not reference the buffer itself.
        Cleaner.Cleanable cleanable = CLEANER.register(buffer, new CloseArena(arena));
        return new Mapping() {
            @Override
            public ByteBuffer buffer() {
                return buffer;
            }

            @Override
            public void unmap() {
                cleanable.clean();
            }
        };
    }

    /** Closes an arena once (Cleanable.clean runs its action at most once). */
    private record CloseArena(AutoCloseable arena) implements Runnable {
        @Override
        public void run() {
            try {
                arena.close();
            } catch (Exception e) {
                // Already closed or still in use by another thread's access: nothing more can be done.
            }
        }
    }
}
