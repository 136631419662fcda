package dev.asclepius.core.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CompletionCodecTest {

    private static CompletionRequest full() {
        return CompletionRequest.of("m", new Prompt.Text("Hi <b>"))
                .withSampling(64, 0.7f, 0.9f, 40, 1.1f, OptionalLong.of(7))
                .withStops(List.of("\n\n"), List.of(2, 13), true)
                .withOptions(Optional.of("team-a"), true, true, true);
    }

    @Test
    void requestWritesExactlyTheFieldsThatAreOn() {
        String json = CompletionCodec.writeRequest(CompletionRequest.of("m", new Prompt.Text("x")).withSampling(200, 0f,
                1f, 0, 1f, OptionalLong.empty()));
        assertThat(JsonParser.parseString(json)).isEqualTo(JsonParser.parseString(
                "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":200,\"temperature\":0.0,\"top_p\":1.0,\"stream\":false}"));
        assertThat(CompletionCodec.writeRequest(full())).as("no HTML escaping").contains("Hi <b>")
                .contains("\"stream_options\":{\"include_usage\":true}").contains("\"cache_salt\":\"team-a\"")
                .contains("\"stop_token_ids\":[2,13]").contains("\"ignore_eos\":true").contains("\"top_k\":40");
    }

    @Test
    void requestRoundTrips() {
        CompletionRequest r = full();
        assertThat(CompletionCodec.readRequest(CompletionCodec.writeRequest(r))).isEqualTo(r);
        CompletionRequest ids = CompletionRequest.of("m", Prompt.TokenIds.of(new int[] {1, 450, 16500}));
        assertThat(CompletionCodec.writeRequest(ids)).contains("\"prompt\":[1,450,16500]");
        assertThat(CompletionCodec.readRequest(CompletionCodec.writeRequest(ids))).isEqualTo(ids);
    }

    @Test
    void requestDefaultsAreOpenAis() {
        CompletionRequest r = CompletionCodec.readRequest("{\"prompt\":\"x\"}");
        assertThat(r.model()).isEmpty();
        assertThat(r.maxTokens()).isEqualTo(16);
        assertThat(r.temperature()).isEqualTo(1f);
        assertThat(r.topP()).isEqualTo(1f);
        assertThat(r.n()).isEqualTo(1);
        assertThat(r.stream()).isFalse();
        assertThat(r.logprobs()).isEmpty();
        assertThat(r).isEqualTo(new CompletionRequest(Optional.empty(), new Prompt.Text("x"), 16, 1f, 1f, 0, 1f,
                OptionalLong.empty(), List.of(), List.of(), false, Optional.empty(), false, false, false, 1, 1, false,
                Optional.empty()));
    }

    @Test
    void promptAndStopShapes() {
        assertThat(CompletionCodec.readRequest("{\"prompt\":[\"one\"]}").prompt()).isEqualTo(new Prompt.Text("one"));
        assertThat(CompletionCodec.readRequest("{\"prompt\":[[1,2]]}").prompt()).isEqualTo(new Prompt.TokenIds(List.of(1, 2)));
        assertThat(CompletionCodec.readRequest("{\"prompt\":\"x\",\"stop\":\"END\"}").stop()).containsExactly("END");
        assertThat(CompletionCodec.readRequest("{\"prompt\":\"x\",\"stop\":[\"a\",\"\"]}").stop()).containsExactly("a");
        assertThat(CompletionCodec.readRequest("{\"prompt\":\"x\",\"max_tokens\":1e2}").maxTokens()).isEqualTo(100);
    }

    @Test
    void malformedRequestsNameTheField() {
        assertField("{\"max_tokens\":1.5,\"prompt\":\"x\"}", "max_tokens", "'max_tokens' must be an integer");
        assertField("{\"temperature\":\"hot\",\"prompt\":\"x\"}", "temperature", "must be a number");
        assertField("{\"stream\":1,\"prompt\":\"x\"}", "stream", "must be true or false");
        assertField("{}", "prompt", "'prompt' is required");
        assertField("{\"prompt\":[]}", "prompt", "'prompt' is empty");
        assertField("{\"prompt\":[\"a\",\"b\"]}", "prompt", "Only one prompt");
        assertField("{\"prompt\":[1,2.5]}", "prompt", "integer token ids");
        assertField("{\"prompt\":\"x\",\"stop\":[1]}", "stop", "'stop' must be");
        assertField("{\"prompt\":\"x\",\"stop_token_ids\":\"2\"}", "stop_token_ids", "array of integers");
        assertField("{\"prompt\":\"x\",\"model\":3}", "model", "'model' must be a string");
        assertField("{\"prompt\":\"x\",\"seed\":0.5}", "seed", "'seed' must be an integer");
        assertField("{\"prompt\":\"x\",\"stream_options\":true}", "stream_options", "must be an object");
        assertField("{\"prompt\":\"x\",\"cache_salt\":1}", "cache_salt", "must be a string");
    }

    @Test
    void malformedJsonIsATypedError() {
        for (String bad : List.of("", "{", "{'prompt':'x'}", "{\"prompt\":\"x\"} trailing", "{\"prompt\":NaN}",
                "{prompt:\"x\"}", "[1]", "\"text\"", "{\"prompt\":\"x\"/*c*/}")) {
            assertThatThrownBy(() -> CompletionCodec.readRequest(bad)).as(bad).isInstanceOf(WireException.class)
                    .hasMessageStartingWith("The request body")
                    .satisfies(e -> assertThat(((WireException) e).field()).isEmpty());
        }
    }

    @Test
    void responseRoundTripsWithNullsWhereTheProtocolShowsThem() {
        CompletionResponse r = new CompletionResponse("cmpl-1", 5, "m", List.of(new Choice(0, "a <b>",
                Optional.of("stop"), Optional.of(new StopReason.Token(13)), Optional.of(List.of(7, 13)))),
                Optional.of(Usage.of(3, 2, 1)));
        String json = CompletionCodec.writeResponse(r);
        assertThat(JsonParser.parseString(json)).isEqualTo(JsonParser.parseString("{\"id\":\"cmpl-1\",\"object\":"
                + "\"text_completion\",\"created\":5,\"model\":\"m\",\"choices\":[{\"index\":0,\"text\":\"a <b>\","
                + "\"logprobs\":null,\"finish_reason\":\"stop\",\"stop_reason\":13,\"token_ids\":[7,13]}],\"usage\":"
                + "{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5,\"prompt_tokens_details\":"
                + "{\"cached_tokens\":1}}}"));
        assertThat(CompletionCodec.readResponse(json)).isEqualTo(r);
        CompletionResponse chunk = new CompletionResponse("c", 1, "m", List.of(Choice.delta(" x")), Optional.empty());
        String c = CompletionCodec.writeResponse(chunk);
        assertThat(c).contains("\"finish_reason\":null").contains("\"stop_reason\":null").doesNotContain("usage")
                .doesNotContain("token_ids");
        assertThat(CompletionCodec.readStreamData(c)).isEqualTo(chunk);
    }

    @Test
    void responseReadsWhatRealServersLeaveOut() {
        CompletionResponse r = CompletionCodec.readResponse("{\"choices\":[{\"text\":\"abc\",\"finish_reason\":\"length\"}],"
                + "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":4,\"prompt_tokens_details\":null},\"extra\":[1]}");
        assertThat(r.id()).isEmpty();
        Choice c = r.firstChoice().orElseThrow();
        assertThat(c.text()).isEqualTo("abc");
        assertThat(c.finishReason()).contains("length");
        assertThat(c.stopReason()).isEmpty();
        assertThat(r.usage().orElseThrow()).isEqualTo(new Usage(OptionalInt.of(40), OptionalInt.of(4), OptionalInt.empty(),
                OptionalInt.empty()));
        assertThat(CompletionCodec.readResponse("{\"choices\":[{\"text\":\"\",\"stop_reason\":\"\\n\\n\"}]}")
                .choices().get(0).stopReason()).contains(new StopReason.Text("\n\n"));
    }

    @Test
    void responseWithoutWhatIsNeededIsATypedError() {
        assertThatThrownBy(() -> CompletionCodec.readResponse("{\"choices\":[]}")).isInstanceOf(WireException.class)
                .hasMessageContaining("no choices");
        assertResponseField("{}", "choices");
        assertResponseField("{\"choices\":{}}", "choices");
        assertResponseField("{\"choices\":[1]}", "choices");
        assertResponseField("{\"choices\":[{\"index\":0}]}", "text");
        assertResponseField("{\"choices\":[{\"text\":5}]}", "text");
        assertResponseField("{\"choices\":[{\"text\":\"\",\"finish_reason\":1}]}", "finish_reason");
        assertResponseField("{\"choices\":[{\"text\":\"\",\"stop_reason\":true}]}", "stop_reason");
        assertResponseField("{\"choices\":[{\"text\":\"\",\"token_ids\":[\"a\"]}]}", "token_ids");
        assertResponseField("{\"choices\":[{\"text\":\"\"}],\"usage\":{\"prompt_tokens\":\"3\"}}", "prompt_tokens");
        assertResponseField("{\"choices\":[{\"text\":\"\"}],\"usage\":[]}", "usage");
        assertThatThrownBy(() -> CompletionCodec.readResponse("<html>502 Bad Gateway</html>"))
                .isInstanceOf(WireException.class).hasMessageContaining("not valid JSON").hasMessageContaining("502");
    }

    @Test
    void streamDataIsAChunkOrAnError() {
        assertThat(CompletionCodec.readStreamData("{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}"))
                .isInstanceOfSatisfying(CompletionResponse.class, c -> assertThat(c.firstChoice()).isEmpty());
        assertThat(CompletionCodec.readStreamData("{\"error\":{\"message\":\"CUDA out of memory\",\"type\":\"server_error\","
                + "\"param\":null,\"code\":null}}")).isEqualTo(ErrorBody.of("CUDA out of memory", "server_error"));
        assertThat(CompletionCodec.readStreamData("{\"object\":\"error\",\"message\":\"boom\",\"type\":\"x\",\"code\":400}"))
                .isEqualTo(new ErrorBody("boom", "x", Optional.empty(), Optional.empty()));
    }

    @Test
    void errorBodiesRoundTripAndForeignShapesAreRead() {
        ErrorBody e = new ErrorBody("bad", "invalid_request_error", Optional.of("prompt"), Optional.of("context_length_exceeded"));
        String json = CompletionCodec.writeError(e);
        assertThat(CompletionCodec.readError(json)).contains(e);
        assertThat(CompletionCodec.writeError(ErrorBody.of("m", "t"))).isEqualTo(
                "{\"error\":{\"message\":\"m\",\"type\":\"t\",\"param\":null,\"code\":null}}");
        assertThat(CompletionCodec.errorMessage("{\"error\":\"plain\"}")).isEqualTo("plain");
        assertThat(CompletionCodec.errorMessage("{\"message\":\"old vllm\"}")).isEqualTo("old vllm");
        assertThat(CompletionCodec.errorMessage("{\"detail\":\"Not Found\"}")).isEqualTo("Not Found");
        assertThat(CompletionCodec.errorMessage("  Internal Server Error\n")).isEqualTo("Internal Server Error");
        assertThat(CompletionCodec.errorMessage("x".repeat(600))).hasSize(503).endsWith("...");
        assertThat(CompletionCodec.readError("{\"other\":1}")).isEmpty();
    }

    private static void assertField(String json, String field, String message) {
        assertThatThrownBy(() -> CompletionCodec.readRequest(json)).as(json).isInstanceOfSatisfying(WireException.class,
                e -> assertThat(e.field()).contains(field)).hasMessageContaining(message);
    }

    private static void assertResponseField(String json, String field) {
        assertThatThrownBy(() -> CompletionCodec.readResponse(json)).as(json).isInstanceOfSatisfying(WireException.class,
                e -> assertThat(e.field()).contains(field));
    }
}
