package dev.asclepius.core.internal.checkpoint;

import dev.asclepius.core.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a ZIP file, parsed by hand (java.util.zip cannot tell where an entry's bytes
 * start, and ZipFile reads rather than maps). Supports ZIP64, which torch.save uses above 4 GB.
 */
final class ZipDirectory {
    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;
    private static final int EOCD_MIN = 22;
    private static final int MAX_COMMENT = 0xffff;
    /** A state_dict zip has a few entries per tensor; anything this large is not a checkpoint. */
    private static final long MAX_CENTRAL_DIR_BYTES = 256L * 1024 * 1024;

    /** One stored entry: its data lies at [dataOffset, dataOffset + size). */
    record Entry(String name, int method, long size, long localHeaderOffset) {}

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Entry> entries;

    private ZipDirectory(Path file, FileChannel channel, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.entries = entries;
    }

    static ZipDirectory read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        int tailLen = (int) Math.min(fileSize, EOCD_MIN + MAX_COMMENT);
        long tailStart = fileSize - tailLen;
        ByteBuffer tail = IoUtil.readFully(channel, tailStart, tailLen, file).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int p = tailLen - EOCD_MIN; p >= 0; p--) {
            if (tail.getInt(p) == EOCD_SIG) {
                eocd = p;
                break;
            }
        }
        if (eocd < 0) {
            throw new CheckpointException("PyTorch file " + file + " is truncated or corrupted: no ZIP end-of-central-directory"
                    + " record found. Download it again.");
        }
        long count = tail.getShort(eocd + 10) & 0xffffL;
        long cdSize = tail.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = tail.getInt(eocd + 16) & 0xffffffffL;
        long eocdAbs = tailStart + eocd;
        if (eocdAbs >= 20) {
            ByteBuffer loc = IoUtil.readFully(channel, eocdAbs - 20, 20, file).order(ByteOrder.LITTLE_ENDIAN);
            if (loc.getInt(0) == ZIP64_LOCATOR_SIG) {
                long z64 = loc.getLong(8);
                if (z64 < 0 || z64 > eocdAbs - 56) { // subtraction: z64 + 56 could wrap
                    throw corrupted(file, "ZIP64 end record offset " + z64 + " is outside the file");
                }
                ByteBuffer rec = IoUtil.readFully(channel, z64, 56, file).order(ByteOrder.LITTLE_ENDIAN);
                if (rec.getInt(0) != ZIP64_EOCD_SIG) {
                    throw corrupted(file, "bad ZIP64 end record signature");
                }
                count = rec.getLong(32);
                cdSize = rec.getLong(40);
                cdOffset = rec.getLong(48);
            }
        }
        // cdOffset > eocdAbs - cdSize rather than cdOffset + cdSize > eocdAbs: a ZIP64 offset near 2^63 would wrap.
        if (cdSize < 0 || cdSize > MAX_CENTRAL_DIR_BYTES || cdOffset < 0 || cdOffset > eocdAbs - cdSize) {
            throw corrupted(file, "central directory (offset " + cdOffset + ", " + cdSize + " bytes) is outside the file");
        }
        ByteBuffer cd = IoUtil.readFully(channel, cdOffset, (int) cdSize, file).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            Entry e = readCentralEntry(file, cd);
            entries.put(e.name(), e);
        }
        return new ZipDirectory(file, channel, entries);
    }

    private static Entry readCentralEntry(Path file, ByteBuffer cd) {
        int p = cd.position();
        if (cd.remaining() < 46 || cd.getInt(p) != CENTRAL_SIG) {
            throw corrupted(file, "bad central directory entry at offset " + p);
        }
        int method = cd.getShort(p + 10) & 0xffff;
        long compressed = cd.getInt(p + 20) & 0xffffffffL;
        long size = cd.getInt(p + 24) & 0xffffffffL;
        int nameLen = cd.getShort(p + 28) & 0xffff;
        int extraLen = cd.getShort(p + 30) & 0xffff;
        int commentLen = cd.getShort(p + 32) & 0xffff;
        long localOffset = cd.getInt(p + 42) & 0xffffffffL;
        if (cd.remaining() < 46 + nameLen + extraLen + commentLen) {
            throw corrupted(file, "central directory entry at offset " + p + " runs past the directory");
        }
        byte[] nameBytes = new byte[nameLen];
        cd.get(p + 46, nameBytes);
        String name = new String(nameBytes, StandardCharsets.UTF_8);
        // ZIP64 extra field (id 1): 8-byte values present only for the fields saturated at 0xffffffff, in this order.
        int extra = p + 46 + nameLen;
        int extraEnd = extra + extraLen;
        while (extra + 4 <= extraEnd) {
            int id = cd.getShort(extra) & 0xffff;
            int len = cd.getShort(extra + 2) & 0xffff;
            if (id == 1) {
                int q = extra + 4;
                int fieldEnd = Math.min(extra + 4 + len, extraEnd);
                if (size == 0xffffffffL) {
                    size = zip64Value(file, cd, q, fieldEnd, name);
                    q += 8;
                }
                if (compressed == 0xffffffffL) {
                    compressed = zip64Value(file, cd, q, fieldEnd, name);
                    q += 8;
                }
                if (localOffset == 0xffffffffL) {
                    localOffset = zip64Value(file, cd, q, fieldEnd, name);
                }
            }
            extra += 4 + len;
        }
        cd.position(p + 46 + nameLen + extraLen + commentLen);
        if (method == 0 && compressed != size) {
            throw corrupted(file, "stored entry " + name + " has differing sizes");
        }
        return new Entry(name, method, size, localOffset);
    }

    /** One 8-byte ZIP64 value, which must lie inside its extra field and be a non-negative long. */
    private static long zip64Value(Path file, ByteBuffer cd, int at, int fieldEnd, String name) {
        if (at + 8 > fieldEnd) {
            throw corrupted(file, "ZIP64 extra field of entry " + name + " is too short");
        }
        long v = cd.getLong(at);
        if (v < 0) {
            throw corrupted(file, "ZIP64 size or offset " + Long.toUnsignedString(v) + " of entry " + name
                    + " is beyond any file");
        }
        return v;
    }

    FileChannel channel() {
        return channel;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    /** Absolute offset of an entry's data, from its local header (whose extra field differs from the central one). */
    long dataOffset(Entry e) throws IOException {
        if (e.method() != 0) {
            throw new CheckpointException("PyTorch file " + file + " has a compressed entry " + e.name()
                    + "; only uncompressed (stored) entries as torch.save writes them are supported."
                    + " Re-save it with torch.save.");
        }
        if (e.localHeaderOffset() < 0 || e.localHeaderOffset() > channel.size() - 30) {
            throw corrupted(file, "local header of entry " + e.name() + " at offset " + e.localHeaderOffset()
                    + " is outside the file");
        }
        ByteBuffer local = IoUtil.readFully(channel, e.localHeaderOffset(), 30, file).order(ByteOrder.LITTLE_ENDIAN);
        if (local.getInt(0) != LOCAL_SIG) {
            throw corrupted(file, "bad local header for entry " + e.name());
        }
        // No overflow: the header offset is below the file size and the two lengths are 16-bit.
        long start = e.localHeaderOffset() + 30 + (local.getShort(26) & 0xffff) + (local.getShort(28) & 0xffff);
        if (e.size() < 0 || e.size() > channel.size() - start) { // subtraction: start + size could wrap
            throw new CheckpointException("PyTorch file " + file + " is truncated: entry " + e.name() + " needs "
                    + e.size() + " bytes from byte " + start + " but the file has only " + channel.size() + " bytes. Download it again.");
        }
        return start;
    }

    private static CheckpointException corrupted(Path file, String what) {
        return new CheckpointException("PyTorch file " + file + " is corrupted: " + what + ".");
    }
}
