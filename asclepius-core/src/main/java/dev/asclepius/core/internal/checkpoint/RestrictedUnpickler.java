package dev.asclepius.core.internal.checkpoint;

import dev.asclepius.core.CheckpointException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the data.pkl of a torch.save zip as a state_dict (name -> tensor reference). Pickle is a program,
 * not data: this interpreter knows only the opcodes torch.save emits for a state_dict and a fixed list of
 * globals, which it never calls but recognises by name. Everything else is refused.
 */
final class RestrictedUnpickler {

    /** A storage as named by the persistent id ('storage', torch.XStorage, key, location, numel). */
    record StorageRef(String key, StorageClass storageClass, long numel) {}

    /** A tensor as _rebuild_tensor_v2 describes it: a view into a storage, offsets in elements. */
    record TensorRef(StorageRef storage, long storageOffset, long[] shape, long[] stride) {}

    /** torch.FloatStorage and friends; type is null for element types this SDK does not load. */
    record StorageClass(String name, StorageType type) {}

    private record Global(String module, String name) {}

    /**
     * An immutable pickle tuple. Equality and hashing are by identity on purpose: a content hash of tuples
     * that share children (each level holding the previous one twice) costs 2^depth, so a 130-byte pickle
     * could spin forever. Nothing here needs tuples compared by value.
     */
    private static final class Tuple {
        private final List<Object> items;
        private final int depth;

        Tuple(List<Object> items, int depth) {
            this.items = items;
            this.depth = depth;
        }

        List<Object> items() {
            return items;
        }
    }

    /** torch.save nests tuples at most 3 deep (args of _rebuild_tensor_v2 holding shape tuples); a budget, not a need. */
    static final int MAX_TUPLE_DEPTH = 32;
    /** A tensor has a handful of dimensions; more is a hostile or corrupted file. */
    static final int MAX_DIMS = 64;
    /** Module and class names of the allowed globals are short. */
    private static final int MAX_LINE = 256;

    private static final Object MARK = new Object();
    private static final Global ORDERED_DICT = new Global("collections", "OrderedDict");
    private static final Global REBUILD_TENSOR_V2 = new Global("torch._utils", "_rebuild_tensor_v2");
    private static final Global REBUILD_PARAMETER = new Global("torch._utils", "_rebuild_parameter");
    private static final Pattern STORAGE_NAME = Pattern.compile("[A-Za-z0-9]+Storage");
    private static final Map<String, StorageType> SUPPORTED_STORAGES =
            Map.of("FloatStorage", StorageType.F32, "HalfStorage", StorageType.F16, "BFloat16Storage", StorageType.BF16);

    private final String source;
    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Integer, Object> memo = new HashMap<>();

    private RestrictedUnpickler(String source, byte[] pickle) {
        this.source = source;
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Parses a pickled state_dict; source names the file in error messages. */
    static Map<String, TensorRef> loadStateDict(String source, byte[] pickle) {
        Object root;
        try {
            root = new RestrictedUnpickler(source, pickle).run();
        } catch (BufferUnderflowException e) {
            throw new CheckpointException("Cannot read the pickle in " + source + ": it is truncated or malformed"
                    + " (it ends before its STOP opcode). Download or save the checkpoint again.", e);
        } catch (IndexOutOfBoundsException | ClassCastException e) {
            // Every opcode checks its operands; this is a last line of defence, still typed.
            throw new CheckpointException("Cannot read the pickle in " + source + ": it is truncated or malformed ("
                    + e + ").", e);
        }
        if (!(root instanceof Map<?, ?> dict)) {
            throw refuse(source, "the top-level object is not a dict");
        }
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof TensorRef tensor)) {
                throw refuse(source, "entry " + e.getKey() + " is not a named tensor");
            }
            tensors.put(name, tensor);
        }
        return tensors;
    }

    private Object run() {
        while (true) {
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get(); // PROTO
                case 0x95 -> in.getLong(); // FRAME: a read-ahead hint only
                case 'c' -> push(global(readLine(), readLine()));
                case 0x93 -> { // STACK_GLOBAL
                    String name = as(pop(), String.class, "STACK_GLOBAL name");
                    push(global(as(pop(), String.class, "STACK_GLOBAL module"), name));
                }
                case 'q' -> memo.put(in.get() & 0xff, peek()); // BINPUT
                case 'r' -> memo.put(in.getInt(), peek()); // LONG_BINPUT
                case 0x94 -> memo.put(memo.size(), peek()); // MEMOIZE
                case 'h' -> push(memoGet(in.get() & 0xff)); // BINGET
                case 'j' -> push(memoGet(in.getInt())); // LONG_BINGET
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case ')' -> push(tuple(List.of())); // EMPTY_TUPLE
                case '(' -> marks.push(stack.size()); // MARK
                case 't' -> push(tuple(popToMark())); // TUPLE
                case 0x85 -> push(tupleOf(1)); // TUPLE1
                case 0x86 -> push(tupleOf(2)); // TUPLE2
                case 0x87 -> push(tupleOf(3)); // TUPLE3
                case 'X' -> push(readUtf8(in.getInt())); // BINUNICODE
                case 0x8c -> push(readUtf8(in.get() & 0xff)); // SHORT_BINUNICODE
                case 'J' -> push((long) in.getInt()); // BININT
                case 'K' -> push((long) (in.get() & 0xff)); // BININT1
                case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
                case 0x8a -> push(readLong1()); // LONG1
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'N' -> push(null); // NONE
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT, big-endian
                case 'R' -> { // REDUCE
                    Tuple args = as(pop(), Tuple.class, "REDUCE arguments");
                    push(reduce(pop(), args.items()));
                }
                case 'b' -> build(pop()); // BUILD
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    dictOnTop().put(checkKey(key), value);
                }
                case 'u' -> { // SETITEMS
                    List<Object> kv = popToMark();
                    if (kv.size() % 2 != 0) {
                        throw refuse(source, "SETITEMS with an odd number (" + kv.size() + ") of keys and values");
                    }
                    Map<Object, Object> dict = dictOnTop();
                    for (int i = 0; i + 1 < kv.size(); i += 2) {
                        dict.put(checkKey(kv.get(i)), kv.get(i + 1));
                    }
                }
                case 'a' -> { // APPEND
                    Object value = pop();
                    listOnTop().add(value);
                }
                case 'e' -> { // APPENDS
                    List<Object> values = popToMark();
                    listOnTop().addAll(values);
                }
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                case '.' -> { // STOP
                    Object result = pop();
                    if (!marks.isEmpty()) {
                        throw refuse(source, "a MARK is still open at STOP");
                    }
                    return result;
                }
                default -> throw refuse(source, String.format("opcode 0x%02x at offset %d is not allowed", op,
                        in.position() - 1));
            }
        }
    }

    private Object global(String module, String name) {
        Global g = new Global(module, name);
        if (g.equals(ORDERED_DICT) || g.equals(REBUILD_TENSOR_V2) || g.equals(REBUILD_PARAMETER)) {
            return g;
        }
        if (module.equals("torch") && STORAGE_NAME.matcher(name).matches()) {
            return new StorageClass(name, SUPPORTED_STORAGES.get(name));
        }
        throw refuse(source, "global " + module + "." + name + " is not allowed");
    }

    private Object reduce(Object callable, List<Object> args) {
        if (ORDERED_DICT.equals(callable) && args.isEmpty()) {
            return new LinkedHashMap<>();
        }
        if (REBUILD_TENSOR_V2.equals(callable) && (args.size() == 6 || args.size() == 7)) {
            StorageRef storage = as(args.get(0), StorageRef.class, "tensor storage");
            Long offset = as(args.get(1), Long.class, "tensor storage offset");
            long[] shape = longs(args.get(2), "tensor shape");
            long[] stride = longs(args.get(3), "tensor stride");
            if (offset < 0) {
                throw refuse(source, "tensor storage offset " + offset + " is negative");
            }
            if (shape.length != stride.length) {
                throw refuse(source, "tensor shape has " + shape.length + " dimensions but its stride "
                        + stride.length);
            }
            for (long d : shape) {
                if (d < 0) {
                    throw refuse(source, "tensor shape has a negative dimension " + d);
                }
            }
            return new TensorRef(storage, offset, shape, stride);
        }
        if (REBUILD_PARAMETER.equals(callable) && args.size() == 3 && args.get(0) instanceof TensorRef t) {
            return t; // a Parameter is its data for inference; requires_grad and hooks do not matter
        }
        String what = callable instanceof Global g ? g.module() + "." + g.name() : describe(callable);
        throw refuse(source, "call of " + what + " with " + args.size() + " arguments is not allowed");
    }

    private void build(Object state) {
        // OrderedDict's BUILD restores instance attributes such as state_dict._metadata: not needed.
        if (!(peek() instanceof Map)) {
            throw refuse(source, "BUILD on " + describe(peek()) + " is not allowed");
        }
    }

    private Object persistentLoad(Object pid) {
        if (pid instanceof Tuple t && t.items().size() == 5 && "storage".equals(t.items().get(0))
                && t.items().get(1) instanceof StorageClass storageClass && t.items().get(2) instanceof String key
                && t.items().get(4) instanceof Long numel && numel >= 0) {
            return new StorageRef(key, storageClass, numel);
        }
        throw refuse(source, "persistent id " + describe(pid) + " is not a tensor storage");
    }

    private long[] longs(Object tuple, String what) {
        List<Object> items = as(tuple, Tuple.class, what).items();
        if (items.size() > MAX_DIMS) {
            throw refuse(source, what + " has " + items.size() + " dimensions (at most " + MAX_DIMS + ")");
        }
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = as(items.get(i), Long.class, what + " entry " + i);
        }
        return out;
    }

    /** A tuple, its depth counted once here so that nothing ever has to walk it. */
    private Tuple tuple(List<Object> items) {
        int depth = 1;
        for (Object o : items) {
            if (o instanceof Tuple t) {
                depth = Math.max(depth, t.depth + 1);
            }
        }
        if (depth > MAX_TUPLE_DEPTH) {
            throw refuse(source, "tuples nested deeper than " + MAX_TUPLE_DEPTH + " levels");
        }
        return new Tuple(items, depth);
    }

    private Tuple tupleOf(int n) {
        if (stack.size() - n < floor()) {
            throw underflow(n);
        }
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        stack.subList(stack.size() - n, stack.size()).clear();
        return tuple(items);
    }

    private List<Object> popToMark() {
        if (marks.isEmpty()) {
            throw refuse(source, "no MARK on the stack");
        }
        int mark = marks.pop();
        List<Object> items = new ArrayList<>(stack.subList(mark, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    /**
     * Dict keys are hashed, so only scalars may be keys: a list, dict or tuple as key could contain itself
     * (StackOverflowError in hashCode) or share children (exponential hashing). A state_dict's keys are strings.
     */
    private Object checkKey(Object key) {
        if (key instanceof String || key instanceof Long || key instanceof Boolean || key instanceof Double) {
            return key;
        }
        throw refuse(source, "a dict key of type " + describe(key) + " (only strings and numbers may be keys)");
    }

    /** The stack below the innermost open MARK belongs to the enclosing opcode: popping into it is an underflow. */
    private int floor() {
        return marks.isEmpty() ? 0 : marks.peek();
    }

    private CheckpointException underflow(int wanted) {
        return refuse(source, String.format("stack underflow at offset %d: an opcode needs %d item(s) but %s",
                in.position() - 1, wanted, marks.isEmpty() ? "the stack holds " + stack.size()
                        : "only " + (stack.size() - floor()) + " lie above the innermost MARK"));
    }

    private <T> T as(Object o, Class<T> type, String what) {
        if (!type.isInstance(o)) {
            throw refuse(source, what + " is " + describe(o) + ", expected " + describeType(type));
        }
        return type.cast(o);
    }

    private static String describeType(Class<?> type) {
        if (type == Long.class) {
            return "an integer";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Tuple.class) {
            return "a tuple";
        }
        if (type == StorageRef.class) {
            return "a storage";
        }
        return type.getSimpleName();
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dictOnTop() {
        if (!(peek() instanceof Map)) {
            throw refuse(source, "SETITEM on " + describe(peek()));
        }
        return (Map<Object, Object>) peek();
    }

    @SuppressWarnings("unchecked")
    private List<Object> listOnTop() {
        if (!(peek() instanceof ArrayList)) {
            throw refuse(source, "APPEND on " + describe(peek()));
        }
        return (List<Object>) peek();
    }

    private Object memoGet(int index) {
        if (!memo.containsKey(index)) {
            throw refuse(source, "memo entry " + index + " is not defined");
        }
        return memo.get(index);
    }

    private long readLong1() {
        int n = in.get() & 0xff;
        if (n > 8) {
            throw refuse(source, "integer of " + n + " bytes is too large");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (in.get() & 0xffL) << (8 * i);
        }
        // Sign-extend the little-endian two's complement value.
        return n == 0 || n == 8 ? v : (v << (64 - 8 * n)) >> (64 - 8 * n);
    }

    private String readLine() {
        StringBuilder sb = new StringBuilder();
        for (byte b = in.get(); b != '\n'; b = in.get()) {
            if (sb.length() >= MAX_LINE) {
                throw refuse(source, "a GLOBAL name longer than " + MAX_LINE + " characters");
            }
            sb.append((char) (b & 0xff));
        }
        return sb.toString();
    }

    private String readUtf8(int length) {
        if (length < 0 || length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.size() <= floor()) {
            throw underflow(1);
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.size() <= floor()) {
            throw underflow(1);
        }
        return stack.get(stack.size() - 1);
    }

    /** Type names only: printing a value could recurse into a self-containing list. */
    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Tuple) {
            return "a tuple";
        }
        if (o instanceof List) {
            return "a list";
        }
        if (o instanceof Map) {
            return "a dict";
        }
        if (o instanceof String) {
            return "a string";
        }
        if (o instanceof Long) {
            return "an integer";
        }
        return o.getClass().getSimpleName();
    }

    private static CheckpointException refuse(String source, String why) {
        return new CheckpointException("Refusing to unpickle " + source + ": " + why
                + "; only state_dict tensors are supported (torch.save(model.state_dict(), ...)).");
    }
}
