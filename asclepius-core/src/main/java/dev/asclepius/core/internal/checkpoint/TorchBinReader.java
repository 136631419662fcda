package dev.asclepius.core.internal.checkpoint;

import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.internal.checkpoint.RestrictedUnpickler.StorageRef;
import dev.asclepius.core.internal.checkpoint.RestrictedUnpickler.TensorRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a torch.save (>= 1.6) zip checkpoint: {@code <top>/data.pkl} holds the state_dict pickle,
 * {@code <top>/data/<key>} each storage's raw little-endian bytes, stored uncompressed so they can be
 * mapped in place.
 */
final class TorchBinReader {
    /** data.pkl of a LLaMA shard is tens of KB; a huge one is not a state_dict. */
    private static final long MAX_PICKLE_BYTES = 64L * 1024 * 1024;

    private TorchBinReader() {}

    static List<TensorLocation> read(Path file, FileChannel channel) throws IOException {
        checkMagic(file, channel);
        ZipDirectory zip = ZipDirectory.read(file, channel);
        String prefix = findPrefix(file, zip);
        checkByteOrder(file, zip, prefix);

        ZipDirectory.Entry pklEntry = zip.entries().get(prefix + "data.pkl");
        if (pklEntry.size() > MAX_PICKLE_BYTES) {
            throw new CheckpointException("PyTorch file " + file + " has a " + pklEntry.size()
                    + "-byte data.pkl; that is not a state_dict.");
        }
        ByteBuffer pkl = IoUtil.readFully(channel, zip.dataOffset(pklEntry), (int) pklEntry.size(), file);
        Map<String, TensorRef> refs = RestrictedUnpickler.loadStateDict(file.toString(), pkl.array());

        Map<String, long[]> storages = new HashMap<>(); // key -> {data offset, size}
        List<TensorLocation> out = new ArrayList<>();
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            String name = e.getKey();
            TensorRef t = e.getValue();
            StorageRef s = t.storage();
            StorageType type = s.storageClass().type();
            if (type == null) {
                throw new CheckpointException("Tensor '" + name + "' in " + file + " is stored as torch."
                        + s.storageClass().name() + ", which is not supported (supported: float32, float16,"
                        + " bfloat16). Convert the state_dict, e.g. {k: v.float()}, and save it again.");
            }
            checkContiguous(file, name, t);
            long[] storage = storages.get(s.key());
            if (storage == null) {
                ZipDirectory.Entry entry = zip.entries().get(prefix + "data/" + s.key());
                if (entry == null) {
                    throw new CheckpointException("PyTorch file " + file + " is corrupted: storage " + prefix + "data/"
                            + s.key() + " of tensor '" + name + "' is missing from the archive.");
                }
                storage = new long[] {zip.dataOffset(entry), entry.size()};
                storages.put(s.key(), storage);
            }
            long bytes = Shapes.byteSize(t.shape(), type);
            // Exact arithmetic: an offset of 2^62 elements would wrap a plain multiply past the bounds check.
            long start;
            long end;
            long absolute;
            try {
                start = Math.multiplyExact(t.storageOffset(), (long) type.bytes());
                end = Math.addExact(start, bytes);
                absolute = Math.addExact(storage[0], start);
            } catch (ArithmeticException overflow) {
                throw new CheckpointException("PyTorch file " + file + " is corrupted: tensor '" + name
                        + "' has storage offset " + t.storageOffset() + " elements, beyond any file.");
            }
            // Built before the bounds check so an oversized tensor reports the clearer "not supported" error.
            TensorLocation location = new TensorLocation(name, type, t.shape(), file, absolute, bytes);
            if (t.storageOffset() < 0 || end > storage[1]) {
                throw new CheckpointException("PyTorch file " + file + " is corrupted: tensor '" + name
                        + "' needs bytes [" + start + ", " + end + ") of a storage of " + storage[1]
                        + " bytes.");
            }
            out.add(location);
        }
        return out;
    }

    private static void checkMagic(Path file, FileChannel channel) throws IOException {
        if (channel.size() < 4) {
            throw new CheckpointException("PyTorch file " + file + " is truncated: " + channel.size() + " bytes.");
        }
        ByteBuffer head = IoUtil.readFully(channel, 0, 4, file);
        if (head.getInt(0) == 0x504b0304) { // "PK\3\4"
            return;
        }
        if ((head.get(0) & 0xff) == 0x80) {
            throw new CheckpointException("PyTorch file " + file + " uses the legacy (pre-1.6) torch.save format,"
                    + " which is not supported. Re-save it with torch >= 1.6: torch.save(torch.load(path), path).");
        }
        throw new CheckpointException("PyTorch file " + file + " is not a torch.save zip archive (bad magic bytes).");
    }

    /** The single top folder (its name varies: archive/, pytorch_model/, ...) holding data.pkl. */
    private static String findPrefix(Path file, ZipDirectory zip) {
        List<String> found = new ArrayList<>();
        for (String name : zip.entries().keySet()) {
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                found.add(name.substring(0, name.length() - "data.pkl".length()));
            }
        }
        if (found.size() != 1) {
            throw new CheckpointException("PyTorch file " + file + " is not a torch.save checkpoint: expected one"
                    + " <folder>/data.pkl entry, found " + found.size() + ".");
        }
        return found.get(0);
    }

    /** torch >= 2.1 records the byte order; older files are always little-endian. */
    private static void checkByteOrder(Path file, ZipDirectory zip, String prefix) throws IOException {
        ZipDirectory.Entry entry = zip.entries().get(prefix + "byteorder");
        if (entry == null || entry.size() > 16) {
            return;
        }
        String order = StandardCharsets.US_ASCII.decode(
                IoUtil.readFully(zip.channel(), zip.dataOffset(entry), (int) entry.size(), file)).toString().trim();
        if (!order.equals("little")) {
            throw new CheckpointException("PyTorch file " + file + " was saved with byte order '" + order
                    + "'; only little-endian checkpoints are supported.");
        }
    }

    /** The mapping is used as one row-major block, so any other layout would be read wrongly. */
    private static void checkContiguous(Path file, String name, TensorRef t) {
        long expected = 1;
        long[] shape = t.shape();
        long[] stride = t.stride();
        boolean ok = stride.length == shape.length;
        for (int i = shape.length - 1; ok && i >= 0; i--) {
            ok = shape[i] == 1 || stride[i] == expected; // a size-1 dim's stride is never used
            expected = Shapes.numel(new long[] {expected, shape[i]}); // exact: a wrapped product could match
        }
        if (!ok) {
            throw new CheckpointException("Tensor '" + name + "' in " + file + " is not contiguous (shape "
                    + Arrays.toString(shape) + ", stride " + Arrays.toString(stride) + "). Save tensors made"
                    + " contiguous: {k: v.contiguous() for k, v in state_dict.items()}.");
        }
    }
}
