package dev.asclepius.cli;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.remote.RemoteModel;
import dev.asclepius.tasks.AsclepiusClient;
import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.EntityType;
import dev.asclepius.tasks.Task;
import dev.asclepius.tasks.TaskResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code asclepius run}: one typed clinical task on a note with a local model (or a remote one with --remote). */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a clinical task on a note with a local model and print its records, grounded in the note.",
                "Focused forms (--focus): entities of one type (condition, medication, test, procedure, lifestyle_factor); "
                        + "abbreviations: one short form (CHF); relations: two items (--focus A --focus B); "
                        + "coreferences: one pronoun or phrase (he); paraphrase: one sentence; summary: a topic. "
                        + "ask needs --question."})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Mixin
    TaskOptions taskOptions = new TaskOptions();

    @Option(names = "--question", paramLabel = "TEXT", description = "The question for --task ask, sent as written.")
    String question;

    @Option(names = "--focus", paramLabel = "TEXT", description = "Ask the focused form of the task (see above); repeat for relations.")
    List<String> focus = List.of();

    @Option(names = "--remote", paramLabel = "URL",
            description = "Send the questions to an OpenAI-compatible server (vLLM, asclepius serve) at URL instead of "
                    + "loading a model; --model is then the served model name (API key: OPENAI_API_KEY).")
    java.net.URI remote;

    @Option(names = "--max-new-tokens", defaultValue = "400", paramLabel = "N", description = "Token budget per question (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--num-beams", defaultValue = "1", paramLabel = "N",
            description = "Beam search over N beams per question, as the authors evaluated (HF num_beams=5); local DJL models "
                    + "only (default: ${DEFAULT-VALUE}).")
    int numBeams;

    @Override
    public Integer call() {
        // Check everything the user typed before the model loads (seconds to minutes for a 7B model).
        Task task = taskOptions.parsedTask();
        checkFocus(task);
        ClinicalNote note = taskOptions.readNote();
        GenerationConfig generation = OptionErrors.build(spec, GenerationConfig.builder().maxNewTokens(maxNewTokens)
                .numBeams(numBeams));
        if (generation.isBeamSearch() && (remote != null || modelOptions.gguf())) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--num-beams runs on the DJL engine (a model"
                    + " folder or hub id): neither an OpenAI-compatible server nor llama.cpp is asked for beams here");
        }
        TaskResult<?> result;
        // Remote requests stream, so each answer's time splits into prefill (to the first chunk) and decode;
        // token counts come from the server's usage.
        AsclepiusClient.Builder builder = remote != null
                ? AsclepiusClient.builder().model(RemoteModel.builder(remote, modelOptions.model.replace('\\', '/'))
                        .stream(true).build()).closeModel(true)
                : AsclepiusClient.builder().model(modelOptions.loadAny()).closeModel(true);
        try (AsclepiusClient client = builder.generation(generation).build()) {
            result = run(client, task, note);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (taskOptions.json) {
            out.println(Json.GSON.toJson(TaskJson.result(task, result)));
        } else {
            TaskText.print(out, result.value(), TaskText.emptyWording(result));
            TaskText.printGrounding(out, result.grounding());
            out.printf("questions: %d, %d prompt + %d generated tokens, %.2f s, finish: %s%s%n", result.exchanges().size(),
                    result.promptTokens(), result.generatedTokens(), result.totalTime().toNanos() / 1e9,
                    result.finishReasons().stream().map(TaskJson::name).collect(Collectors.joining(", ")),
                    result.truncated() ? " (an answer hit --max-new-tokens; its last line was dropped)" : "");
        }
        out.flush();
        return 0;
    }

    private void checkFocus(Task task) {
        if (task == Task.QUESTION_ANSWERING) {
            if (question == null || question.isBlank()) {
                throw new InvalidInputException("--task ask needs --question \"...\"");
            }
            if (!focus.isEmpty()) {
                throw new InvalidInputException("--task ask takes --question, not --focus");
            }
            return;
        }
        if (question != null) {
            throw new InvalidInputException("--question is only for --task ask; use --focus for a focused " + TaskJson.name(task) + " question");
        }
        int allowed = task == Task.RELATIONS ? 2 : task == Task.TIMELINE ? 0 : 1;
        if (!focus.isEmpty() && focus.size() != allowed) {
            throw new InvalidInputException(switch (task) {
                case RELATIONS -> "--task relations takes two --focus items (--focus A --focus B), got " + focus.size();
                case TIMELINE -> "--task timeline has no focused form: drop --focus";
                default -> "--task " + TaskJson.name(task) + " takes one --focus, got " + focus.size();
            });
        }
        if (task == Task.ENTITIES && !focus.isEmpty()) {
            entityType(focus.get(0));
        }
    }

    private TaskResult<?> run(AsclepiusClient client, Task task, ClinicalNote note) {
        boolean focused = !focus.isEmpty();
        return switch (task) {
            case ENTITIES -> focused ? client.entities(note, entityType(focus.get(0))) : client.entities(note);
            case ABBREVIATIONS -> focused ? client.abbreviation(note, focus.get(0)) : client.abbreviations(note);
            case RELATIONS -> focused ? client.relation(note, focus.get(0), focus.get(1)) : client.relations(note);
            case TIMELINE -> client.timeline(note);
            case COREFERENCES -> focused ? client.coreference(note, focus.get(0)) : client.coreferences(note);
            case PARAPHRASE -> focused ? client.paraphrase(note, focus.get(0)) : client.paraphrase(note);
            case SUMMARY -> focused ? client.summarize(note, focus.get(0)) : client.summarize(note);
            case QUESTION_ANSWERING -> client.ask(note, question);
        };
    }

    private static EntityType entityType(String text) {
        String name = text.trim().toUpperCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
        try {
            EntityType type = EntityType.valueOf(name.endsWith("S") ? name.substring(0, name.length() - 1) : name);
            if (type != EntityType.OTHER) {
                return type;
            }
        } catch (IllegalArgumentException e) {
            // fall through to the message below
        }
        throw new InvalidInputException("Unknown entity type '" + text + "' for --focus: use condition, medication, test, "
                + "procedure or lifestyle_factor");
    }
}
