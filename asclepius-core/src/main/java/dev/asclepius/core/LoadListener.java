package dev.asclepius.core;

/**
 * Told how loading a {@link LocalModel} goes: a 7B checkpoint takes from seconds (page cache) to minutes
 * (cold disk), and an application may want to show that. Called on the loading thread, after each
 * transformer layer and once at the end ({@link LoadProgress#done()}); keep it quick.
 *
 * <pre>{@code
 * LocalModel.builder(dir).loadListener(p -> System.err.println(p.describe())).build();
 * }</pre>
 */
@FunctionalInterface
public interface LoadListener {
    /** Ignores progress. */
    LoadListener NONE = progress -> {
    };

    void onProgress(LoadProgress progress);
}
