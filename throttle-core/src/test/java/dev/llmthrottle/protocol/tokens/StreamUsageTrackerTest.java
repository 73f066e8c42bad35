package dev.llmthrottle.protocol.tokens;

import java.util.OptionalLong;

import dev.llmthrottle.protocol.Dialect;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StreamUsageTrackerTest {

	private static final String OPENAI_CHUNK = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":"
			+ "[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}],\"usage\":null}";

	private static final String OPENAI_USAGE = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
			+ "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18,"
			+ "\"prompt_tokens_details\":{\"cached_tokens\":0}}}";

	@Test
	void openAiFinalUsageChunk() {
		StreamUsageTracker tracker = new StreamUsageTracker(Dialect.OPENAI);
		tracker.onData(OPENAI_CHUNK);
		tracker.onData("data: " + OPENAI_CHUNK);
		assertThat(tracker.finalUsage()).isEmpty();
		tracker.onData(OPENAI_USAGE);
		tracker.onData("[DONE]");
		assertThat(tracker.complete()).isTrue();
		assertThat(tracker.finalUsage()).hasValue(new Usage(11, 7, OptionalLong.of(0)));
	}

	@Test
	void openAiStreamCutBeforeTheUsageChunkHasNoFinalUsage() {
		StreamUsageTracker tracker = new StreamUsageTracker(Dialect.OPENAI);
		tracker.onData(OPENAI_CHUNK);
		tracker.onData(OPENAI_CHUNK);
		assertThat(tracker.finalUsage()).isEmpty();
		assertThat(tracker.partialUsage()).isEmpty();
		assertThat(tracker.complete()).isFalse();
	}

	@Test
	void anthropicInputFromMessageStartAndCumulativeOutputFromMessageDelta() {
		StreamUsageTracker tracker = new StreamUsageTracker(Dialect.ANTHROPIC);
		tracker.onData("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":"
				+ "\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":100,"
				+ "\"cache_read_input_tokens\":50,\"output_tokens\":1}}}");
		tracker.onData(
				"{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
		tracker.onData("{\"type\":\"ping\"}");
		tracker.onData(
				"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}");
		assertThat(tracker.finalUsage()).isEmpty();
		assertThat(tracker.partialUsage()).hasValue(new Usage(125, 1, OptionalLong.of(50)));
		tracker.onData("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":null},\"usage\":{\"output_tokens\":9}}");
		tracker.onData("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
				+ "\"usage\":{\"output_tokens\":15}}");
		tracker.onData("{\"type\":\"message_stop\"}");
		assertThat(tracker.finalUsage()).hasValue(new Usage(125, 15, OptionalLong.of(50)));
	}

	@Test
	void anthropicDeltaWithCumulativeInputReplacesTheStartFigures() {
		StreamUsageTracker tracker = new StreamUsageTracker(Dialect.ANTHROPIC);
		tracker
			.onData("{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}");
		tracker.onData("{\"type\":\"message_delta\",\"usage\":{\"input_tokens\":30,\"cache_creation_input_tokens\":5,"
				+ "\"output_tokens\":40}}");
		assertThat(tracker.finalUsage()).hasValue(Usage.of(35, 40));
	}

	@Test
	void anthropicStreamCutAfterMessageStartKeepsOnlyPartialUsage() {
		StreamUsageTracker tracker = new StreamUsageTracker(Dialect.ANTHROPIC);
		tracker
			.onData("{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}");
		assertThat(tracker.finalUsage()).isEmpty();
		assertThat(tracker.partialUsage()).hasValue(Usage.of(25, 1));
	}

	@Test
	void openAiResponsesCompletedEvent() {
		StreamUsageTracker tracker = new StreamUsageTracker(Dialect.OPENAI);
		tracker.onData("{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"usage\":null}}");
		tracker.onData("{\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}");
		assertThat(tracker.finalUsage()).isEmpty();
		tracker.onData("{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"usage\":{\"input_tokens\":"
				+ "36,\"output_tokens\":87,\"total_tokens\":123}}}");
		assertThat(tracker.finalUsage()).hasValue(Usage.of(36, 87));
	}

	@Test
	void geminiUsageIsFinalOnceACandidateFinished() {
		StreamUsageTracker tracker = new StreamUsageTracker(Dialect.GEMINI);
		tracker.onData("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}]}}],\"usageMetadata\":"
				+ "{\"promptTokenCount\":9,\"candidatesTokenCount\":2}}");
		assertThat(tracker.finalUsage()).isEmpty();
		tracker.onData("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}]},\"finishReason\":\"STOP\"}],"
				+ "\"usageMetadata\":{\"promptTokenCount\":9,\"candidatesTokenCount\":5,\"totalTokenCount\":14}}");
		assertThat(tracker.finalUsage()).hasValue(Usage.of(9, 5));
	}

	@Test
	void garbageIsIgnored() {
		StreamUsageTracker tracker = new StreamUsageTracker(null);
		for (String payload : new String[] { null, "", "   ", "[DONE]", ": keep-alive", "{", "{\"usage\":",
				"{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":-3}}", "[1,2,3]", "\"text\"",
				"{\"type\":\"message_start\",\"message\":null}", "{\"usage\":{\"prompt_tokens\":\"x\"}}" }) {
			tracker.onData(payload);
		}
		assertThat(tracker.finalUsage()).isEmpty();
		assertThat(tracker.partialUsage()).isEmpty();
		tracker.onData(OPENAI_USAGE);
		assertThat(tracker.finalUsage()).isPresent();
	}

}
