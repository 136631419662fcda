package dev.asclepius.core;

import dev.asclepius.core.testing.ApiDump;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * This module's public API (the packages its module-info exports) against the baseline committed in
 * api/asclepius-core.api; see {@link ApiDump} and docs/architecture.md for the update command.
 */
class ApiCompatibilityTest {
    @Test
    void publicApiMatchesTheCommittedBaseline() throws IOException {
        ApiDump.check(ApiDump.moduleDir(), "asclepius-core", ApiDump.classesDir(LocalModel.class), getClass().getClassLoader());
    }
}
