package dev.asclepius.core.internal.checkpoint;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.MappedByteBuffer;

/**
 * Unmaps a memory mapping at once instead of when the garbage collector finds it unreachable: mapped
 * bytes do not pressure the Java heap, so without this a loaded model would keep its whole weight file
 * resident. Uses {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported, Java 9+); where that is
 * not available the mapping is simply left to the collector.
 */
final class Unmapper {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method invoke = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = field.get(null);
            invoke = type.getMethod("invokeCleaner", java.nio.ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            invoke = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = invoke;
    }

    private Unmapper() {
    }

    /** Unmaps {@code buffer} (an original mapping, not a slice or duplicate); any later access crashes. */
    static void unmap(MappedByteBuffer buffer) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Left to the garbage collector.
        }
    }
}
