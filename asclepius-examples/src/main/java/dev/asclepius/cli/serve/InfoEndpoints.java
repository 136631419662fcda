package dev.asclepius.cli.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.asclepius.core.LanguageModel;

/**
 * {@code GET /health} and {@code GET /v1/models}: what is served, for load balancers and OpenAI clients. Not
 * part of the completions codec (no client of this project reads them). {@link JsonObject#toString()} writes
 * compact JSON without HTML escaping, as the codec does.
 */
final class InfoEndpoints {
    private final LanguageModel model;
    private final String modelName;
    private final long created = System.currentTimeMillis() / 1000;   // the server's start, as vLLM reports it

    InfoEndpoints(LanguageModel model, String modelName) {
        this.model = model;
        this.modelName = modelName;
    }

    /** Needs no key: a health check must not hold a secret. */
    String health() {
        JsonObject o = new JsonObject();
        o.addProperty("status", "ok");
        o.addProperty("model", modelName);
        return o.toString();
    }

    /** The one model, with vLLM's {@code max_model_len} so that clients can size prompts. */
    String models() {
        JsonObject m = new JsonObject();
        m.addProperty("id", modelName);
        m.addProperty("object", "model");
        m.addProperty("created", created);
        m.addProperty("owned_by", "asclepius");
        m.addProperty("max_model_len", model.info().contextLength());
        JsonArray data = new JsonArray();
        data.add(m);
        JsonObject o = new JsonObject();
        o.addProperty("object", "list");
        o.add("data", data);
        return o.toString();
    }
}
