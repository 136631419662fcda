package dev.asclepius.tasks;

import dev.asclepius.core.testing.ApiDump;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * This module's public API (the packages its module-info exports) against the baseline committed in
 * api/asclepius-tasks.api; see {@link ApiDump} and docs/architecture.md for the update command.
 */
class ApiCompatibilityTest {
    @Test
    void publicApiMatchesTheCommittedBaseline() throws IOException {
        ApiDump.check(ApiDump.moduleDir(), "asclepius-tasks", ApiDump.classesDir(AsclepiusClient.class), getClass().getClassLoader());
    }
}
