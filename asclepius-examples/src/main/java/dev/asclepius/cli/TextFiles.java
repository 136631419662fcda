package dev.asclepius.cli;

import dev.asclepius.core.InvalidInputException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the text files a command is given, turning file problems into one-line user errors. */
final class TextFiles {
    private TextFiles() {
    }

    /**
     * The file's UTF-8 text, kept verbatim (spans are offsets into it, so nothing is trimmed).
     *
     * @param what how the message names the file ("note", "response")
     * @throws InvalidInputException if the file is missing, a folder, unreadable, not UTF-8 or blank
     */
    static String read(Path file, String what) {
        if (!Files.exists(file)) {
            throw new InvalidInputException("The " + what + " file " + file + " does not exist.");
        }
        if (Files.isDirectory(file)) {
            throw new InvalidInputException("The " + what + " file " + file + " is a folder: give a text file.");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("The " + what + " file " + file + " is not UTF-8 text.");
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read the " + what + " file " + file + ": " + e.getMessage());
        }
        if (text.isBlank()) {
            throw new InvalidInputException("The " + what + " file " + file + " is empty.");
        }
        return text;
    }
}
