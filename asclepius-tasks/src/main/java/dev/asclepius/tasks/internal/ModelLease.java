package dev.asclepius.tasks.internal;

import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.ModelClosedException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded model shared by a client and the clients derived from it. Each client holds one reference;
 * the model is closed when the last reference is released, and only if the clients own it (they loaded
 * it, or were told to close it).
 */
public final class ModelLease {
    private final LanguageModel model;
    private final boolean owned;
    private final AtomicInteger refs = new AtomicInteger(1);

    public ModelLease(LanguageModel model, boolean owned) {
        this.model = model;
        this.owned = owned;
    }

    public LanguageModel model() {
        return model;
    }

    /** Takes another reference for a derived client. */
    public ModelLease acquire() {
        while (true) {
            int n = refs.get();
            if (n == 0) {
                throw new ModelClosedException("The client this one derives from is closed, and with it the model");
            }
            if (refs.compareAndSet(n, n + 1)) {
                return this;
            }
        }
    }

    /** Drops a reference; the last one closes an owned model. */
    public void release() {
        if (refs.decrementAndGet() == 0 && owned) {
            model.close();
        }
    }

    public int references() {
        return refs.get();
    }
}
