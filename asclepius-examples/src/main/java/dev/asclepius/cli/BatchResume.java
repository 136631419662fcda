package dev.asclepius.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.asclepius.core.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The ids already in the output, after repairing a cut last line (and dropping error lines to retry). */
record BatchResume(Set<String> ids, boolean droppedPartial, int droppedErrors) {
    static BatchResume prepare(Path output, boolean retryErrors) throws IOException {
        Set<String> ids = new HashSet<>();
        if (!Files.exists(output)) {
            return new BatchResume(ids, false, 0);
        }
        boolean droppedPartial = dropCutTail(output);
        int droppedErrors = 0;
        List<String> kept = retryErrors ? new ArrayList<>() : null;
        try (BufferedReader reader = Files.newBufferedReader(output, StandardCharsets.UTF_8)) {
            String lineText;
            int number = 0;
            while ((lineText = reader.readLine()) != null) {
                number++;
                if (lineText.isBlank()) {
                    continue;
                }
                JsonObject o;
                try {
                    o = JsonParser.parseString(lineText).getAsJsonObject();
                } catch (JsonParseException | IllegalStateException e) {
                    throw new InvalidInputException("The output " + output + " has a line that is not JSON (line "
                            + number + "): not written by batch? Give another --output.");
                }
                if (!o.has("id") || o.get("id").isJsonNull()) {
                    throw new InvalidInputException("The output " + output + " has a line without \"id\" (line "
                            + number + "): not written by batch? Give another --output.");
                }
                if (retryErrors && o.has("error")) {
                    droppedErrors++;
                    continue;
                }
                ids.add(o.get("id").getAsString());
                if (kept != null) {
                    kept.add(lineText);
                }
            }
        }
        if (droppedErrors > 0) {
            Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
            Files.write(tmp, kept, StandardCharsets.UTF_8);
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return new BatchResume(ids, droppedPartial, droppedErrors);
    }

    /** Truncates the file after its last newline; true if there was something after it. */
    private static boolean dropCutTail(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = size;
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(8192);
            while (pos > 0) {
                int n = (int) Math.min(one.capacity(), pos);
                one.clear().limit(n);
                ch.read(one, pos - n);
                for (int i = n - 1; i >= 0; i--) {
                    if (one.get(i) == '\n') {
                        long keep = pos - n + i + 1;
                        if (keep < size) {
                            ch.truncate(keep);
                            return true;
                        }
                        return false;
                    }
                }
                pos -= n;
            }
            if (size > 0) {
                ch.truncate(0);   // one cut line and nothing else
                return true;
            }
            return false;
        }
    }
}
