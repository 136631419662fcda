package dev.asclepius.core.internal.checkpoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.asclepius.core.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Reads the header of one .safetensors file: u64 little-endian header length N, N bytes of JSON, then
 * the tensor data, with {@code data_offsets} relative to the first byte after the header.
 */
final class SafetensorsReader {
    /** The reference implementation refuses headers over 100 MB; a larger value means a corrupted file. */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private SafetensorsReader() {}

    static List<TensorLocation> read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new CheckpointException("Safetensors file " + file + " is truncated: " + fileSize
                    + " bytes, too short for the 8-byte header length.");
        }
        ByteBuffer lenBuf = IoUtil.readFully(channel, 0, 8, file).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = lenBuf.getLong(0);
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
            throw new CheckpointException("Safetensors file " + file + " has a bad header: header length "
                    + Long.toUnsignedString(headerLen) + " is not plausible; the file is corrupted or not safetensors.");
        }
        if (8 + headerLen > fileSize) {
            throw new CheckpointException("Safetensors file " + file + " is truncated: the header needs "
                    + (8 + headerLen) + " bytes but the file has only " + fileSize + ".");
        }
        String json = StandardCharsets.UTF_8.decode(IoUtil.readFully(channel, 8, (int) headerLen, file)).toString();
        JsonObject header;
        try {
            header = JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new CheckpointException("Safetensors file " + file + " has a bad header: not a JSON object ("
                    + e.getMessage() + ")", e);
        }
        long dataStart = 8 + headerLen;
        long dataSize = fileSize - dataStart;
        List<TensorLocation> tensors = new ArrayList<>();
        List<long[]> ranges = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            long[] range = new long[2];
            tensors.add(parseEntry(file, e.getKey(), e.getValue(), dataStart, dataSize, range));
            ranges.add(range);
        }
        checkNoOverlap(file, ranges, tensors);
        return tensors;
    }

    private static TensorLocation parseEntry(Path file, String name, JsonElement value, long dataStart, long dataSize,
            long[] rangeOut) {
        try {
            JsonObject o = value.getAsJsonObject();
            String dtype = o.get("dtype").getAsString();
            StorageType type = StorageType.fromSafetensorsDtype(dtype).orElseThrow(() -> new CheckpointException(
                    "Tensor '" + name + "' in " + file + " has dtype " + dtype
                            + ", which is not supported (supported: F32, F16, BF16)."));
            JsonArray shapeJson = o.getAsJsonArray("shape");
            long[] shape = new long[shapeJson.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = exactLong(shapeJson.get(i), "shape");
            }
            JsonArray offsets = o.getAsJsonArray("data_offsets");
            if (offsets.size() != 2) {
                throw new IllegalStateException("data_offsets must have two entries");
            }
            long begin = exactLong(offsets.get(0), "data_offsets");
            long end = exactLong(offsets.get(1), "data_offsets");
            long bytes = Shapes.byteSize(shape, type);
            if (begin < 0 || end < begin || end - begin != bytes) {
                throw new CheckpointException("Safetensors file " + file + " has a bad header: tensor '" + name
                        + "' data_offsets [" + begin + ", " + end + "] do not match its shape and dtype ("
                        + bytes + " bytes).");
            }
            // Built before the bounds check so an oversized tensor reports the clearer "not supported" error.
            TensorLocation location = new TensorLocation(name, type, shape, file, Math.addExact(dataStart, begin), bytes);
            if (end > dataSize) {
                throw new CheckpointException("Safetensors file " + file + " is truncated: tensor '" + name
                        + "' ends at byte " + (dataStart + end) + " but the file has only " + (dataStart + dataSize)
                        + " bytes. Download it again.");
            }
            rangeOut[0] = begin;
            rangeOut[1] = end;
            return location;
        } catch (IllegalStateException | NullPointerException | UnsupportedOperationException | NumberFormatException
                | ArithmeticException e) {
            throw new CheckpointException("Safetensors file " + file + " has a bad header: entry '" + name
                    + "' is malformed (" + e + ").", e);
        }
    }

    /**
     * Gson's getAsLong truncates 3.5 to 3 and wraps 2^64 + 1 to 1; a header value must be an exact integer
     * that fits a long, or it is refused.
     */
    private static long exactLong(JsonElement e, String field) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalStateException(field + " value " + e + " is not a number");
        }
        try {
            return e.getAsBigDecimal().longValueExact();
        } catch (ArithmeticException notExact) {
            throw new IllegalStateException(field + " value " + e + " is not an integer that fits 64 bits");
        }
    }

    private static void checkNoOverlap(Path file, List<long[]> ranges, List<TensorLocation> tensors) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong(i -> ranges.get(i)[0]));
        for (int k = 1; k < order.size(); k++) {
            int prev = order.get(k - 1);
            int cur = order.get(k);
            if (ranges.get(cur)[0] < ranges.get(prev)[1]) {
                throw new CheckpointException("Safetensors file " + file + " has a bad header: tensors '"
                        + tensors.get(prev).name() + "' and '" + tensors.get(cur).name() + "' overlap.");
            }
        }
    }
}
