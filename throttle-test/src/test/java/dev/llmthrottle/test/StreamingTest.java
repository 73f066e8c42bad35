package dev.llmthrottle.test;

import static dev.llmthrottle.test.Http.header;
import static dev.llmthrottle.test.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.clock.ManualClock;
import dev.llmthrottle.test.config.CompletionLength;
import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.EnforcementModel;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** SSE streams end with usage in both dialects, and streamed output is charged. */
class StreamingTest {

	final ManualClock clock = new ManualClock();

	SimulatedProvider provider;

	@AfterEach
	void stop() {
		provider.close();
	}

	private SimulatedProvider start(Dialect dialect, String... limits) {
		SimulatedProvider.Builder builder = SimulatedProvider.builder()
			.dialect(dialect)
			.model(EnforcementModel.SLIDING_WINDOW)
			.completionLength(CompletionLength.fraction(0.5))
			.roundAnthropicRemaining(false)
			.clock(clock);
		for (String limit : limits) {
			builder.limit(limit);
		}
		provider = builder.start();
		return provider;
	}

	@Test
	void openAiStreamEndsWithAUsageChunkBeforeDone() throws Exception {
		start(Dialect.OPENAI, "tokens:1000/10s");
		HttpResponse<String> response = Http.post(provider.chatUri(),
				"{\"model\":\"gpt-4o\",\"stream\":true,"
						+ "\"stream_options\":{\"include_usage\":true},\"max_tokens\":40,"
						+ "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(header(response, "content-type")).startsWith("text/event-stream");
		assertThat(header(response, "x-ratelimit-remaining-tokens")).as("estimate charged at admission")
			.isEqualTo("952");

		List<Sse.Event> events = Sse.parse(response.body());
		assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
		JsonNode usageChunk = json(events.get(events.size() - 2).data());
		assertThat(usageChunk.get("choices")).isEmpty();
		assertThat(usageChunk.get("usage").get("prompt_tokens").asLong()).isEqualTo(8);
		assertThat(usageChunk.get("usage").get("completion_tokens").asLong()).isEqualTo(20);
		assertThat(usageChunk.get("usage").get("total_tokens").asLong()).isEqualTo(28);

		List<JsonNode> chunks = events.subList(0, events.size() - 2)
			.stream()
			.map(e -> json(e.data()))
			.collect(Collectors.toList());
		assertThat(chunks).allSatisfy(c -> {
			assertThat(c.get("object").asString()).isEqualTo("chat.completion.chunk");
			assertThat(c.get("usage").isNull()).isTrue();
		});
		assertThat(chunks.get(0).get("choices").get(0).get("delta").get("role").asString()).isEqualTo("assistant");
		JsonNode last = chunks.get(chunks.size() - 1).get("choices").get(0);
		assertThat(last.get("finish_reason").asString()).isEqualTo("stop");
		String text = chunks.stream()
			.map(c -> c.get("choices").get(0).get("delta").path("content").asString(""))
			.collect(Collectors.joining());
		assertThat(text).hasSize(20 * 4 - 1);

		// settled to 28 after the stream
		HttpResponse<String> next = Http.post(provider.chatUri(), Http.openAiBody("Hello", 40));
		assertThat(header(next, "x-ratelimit-remaining-tokens")).isEqualTo(Long.toString(1000 - 28 - 28));
	}

	@Test
	void openAiStreamWithoutIncludeUsageHasNoUsage() throws Exception {
		start(Dialect.OPENAI);
		HttpResponse<String> response = Http.post(provider.chatUri(),
				"{\"stream\":true,\"max_tokens\":8," + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
		List<Sse.Event> events = Sse.parse(response.body());
		assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
		assertThat(events.subList(0, events.size() - 1))
			.allSatisfy(e -> assertThat(json(e.data()).has("usage")).isFalse());
	}

	@Test
	void anthropicStreamHasTheEventSequenceAndCumulativeOutput() throws Exception {
		start(Dialect.ANTHROPIC, "output-tokens:500/10s", "input-tokens:1000/10s");
		HttpResponse<String> response = Http.post(provider.chatUri(),
				"{\"model\":\"claude\",\"max_tokens\":40,\"stream\":true,"
						+ "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
		assertThat(response.statusCode()).isEqualTo(200);
		List<Sse.Event> events = Sse.parse(response.body());
		List<String> names = events.stream().map(Sse.Event::name).collect(Collectors.toList());
		assertThat(names.subList(0, 3)).containsExactly("message_start", "content_block_start", "ping");
		assertThat(names.subList(names.size() - 3, names.size())).containsExactly("content_block_stop", "message_delta",
				"message_stop");
		assertThat(names.subList(3, names.size() - 3)).isNotEmpty().allMatch("content_block_delta"::equals);

		JsonNode start = json(events.get(0).data()).get("message");
		assertThat(start.get("usage").get("input_tokens").asLong()).isEqualTo(8);
		JsonNode delta = json(events.get(events.size() - 2).data());
		assertThat(delta.get("usage").get("output_tokens").asLong()).isEqualTo(20);
		assertThat(delta.get("delta").get("stop_reason").asString()).isEqualTo("end_turn");
		String text = events.stream()
			.filter(e -> "content_block_delta".equals(e.name()))
			.map(e -> json(e.data()).get("delta").get("text").asString())
			.collect(Collectors.joining());
		assertThat(text).hasSize(20 * 4 - 1);

		HttpResponse<String> next = Http.post(provider.chatUri(), Http.anthropicBody("Hello", 40));
		assertThat(header(next, "anthropic-ratelimit-output-tokens-remaining")).isEqualTo("460");
		assertThat(provider.stats().admittedByDimension()).containsEntry("output-tokens", 40L);
	}

}
