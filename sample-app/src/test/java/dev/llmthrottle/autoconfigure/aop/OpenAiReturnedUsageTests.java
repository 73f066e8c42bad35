package dev.llmthrottle.autoconfigure.aop;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseUsage;
import com.openai.models.responses.ToolChoiceOptions;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;

import dev.llmthrottle.core.Cost;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The openai-java reader of the usage an {@code @LlmThrottled} method's value carries,
 * against objects built with openai-java 4.101.0 itself. Here rather than in the
 * auto-configuration module, whose tests stand in for parts of openai-java (the real SDK
 * is kept off their class path); the sample has the real SDK and Spring AI's OpenAI
 * model. Same package as the reader, which is package-private.
 */
class OpenAiReturnedUsageTests {

	private final ReturnedUsages usages = ReturnedUsages.forClassPath(getClass().getClassLoader());

	@Test
	void everyLibraryOfTheSampleHasItsReader() {
		assertThat(this.usages.readerCount()).isEqualTo(2 + (isPresent(AnthropicReturnedUsage.MARKER) ? 1 : 0));
	}

	@Test
	void chatCompletionCountsPromptTokensWithTheCachedOnes() {
		ChatCompletion completion = completion(usage(1200, 80, 1000L));
		assertThat(this.usages.cost(completion)).isEqualTo(new Cost(1, 1200, 80));
		assertThat(this.usages.usage(completion).cachedInputTokens()).isEqualTo(OptionalLong.of(1000));
	}

	@Test
	void chatCompletionWithoutUsageHasNone() {
		assertThat(this.usages.cost(completion(null))).isNull();
	}

	@Test
	void streamChunkCarriesUsageOnlyAtTheEnd() {
		assertThat(this.usages.cost(chunk(null))).isNull();
		assertThat(this.usages.cost(chunk(usage(30, 12, null)))).isEqualTo(new Cost(1, 30, 12));
		ReturnedUsages.StreamUsage stream = this.usages.new StreamUsage();
		stream.onElement(chunk(null));
		stream.onElement(chunk(null));
		stream.onElement(chunk(usage(30, 12, null)));
		assertThat(stream.cost()).isEqualTo(new Cost(1, 30, 12));
	}

	@Test
	void responsesApiResponse() {
		Response response = Response.builder()
			.id("resp_1")
			.createdAt(0)
			.error(Optional.empty())
			.incompleteDetails(Optional.empty())
			.instructions(Optional.<Response.Instructions>empty())
			.metadata(Optional.empty())
			.model("gpt-4.1")
			.output(List.of())
			.parallelToolCalls(false)
			.temperature(Optional.empty())
			.toolChoice(ToolChoiceOptions.AUTO)
			.tools(List.of())
			.topP(Optional.empty())
			.usage(ResponseUsage.builder()
				.inputTokens(500)
				.outputTokens(60)
				.totalTokens(560)
				.inputTokensDetails(
						ResponseUsage.InputTokensDetails.builder().cachedTokens(0).cacheWriteTokens(0).build())
				.outputTokensDetails(ResponseUsage.OutputTokensDetails.builder().reasoningTokens(20).build())
				.build())
			.build();
		assertThat(this.usages.cost(response)).isEqualTo(new Cost(1, 500, 60));
	}

	@Test
	void springAiResponsePrefersTheOpenAiNativeUsage() {
		// Spring AI's OpenAI model keeps the SDK's CompletionUsage as its native usage
		DefaultUsage usage = new DefaultUsage(7, 3, 10, usage(1200, 80, null));
		ChatResponse response = new ChatResponse(List.of(new Generation(new AssistantMessage("hello"))),
				ChatResponseMetadata.builder().usage(usage).build());
		assertThat(this.usages.cost(response)).isEqualTo(new Cost(1, 1200, 80));
	}

	@Test
	void aCompletionWhoseRequiredUsageFieldIsMissingGivesNoUsage() {
		// the SDK's accessor of a required field throws when the provider left it out
		CompletionUsage broken = CompletionUsage.builder()
			.completionTokens(5)
			.promptTokens(com.openai.core.JsonMissing.of())
			.totalTokens(5)
			.build();
		assertThat(this.usages.cost(completion(broken))).isNull();
	}

	private static boolean isPresent(String className) {
		return org.springframework.util.ClassUtils.isPresent(className,
				OpenAiReturnedUsageTests.class.getClassLoader());
	}

	static CompletionUsage usage(long prompt, long completion, Long cached) {
		CompletionUsage.Builder builder = CompletionUsage.builder()
			.promptTokens(prompt)
			.completionTokens(completion)
			.totalTokens(prompt + completion);
		if (cached != null) {
			builder.promptTokensDetails(CompletionUsage.PromptTokensDetails.builder().cachedTokens(cached).build());
		}
		return builder.build();
	}

	static ChatCompletion completion(CompletionUsage usage) {
		ChatCompletion.Builder builder = ChatCompletion.builder()
			.id("chatcmpl-1")
			.choices(List.of())
			.created(0)
			.model("gpt-4o-mini");
		if (usage != null) {
			builder.usage(usage);
		}
		return builder.build();
	}

	static ChatCompletionChunk chunk(CompletionUsage usage) {
		ChatCompletionChunk.Builder builder = ChatCompletionChunk.builder()
			.id("chatcmpl-1")
			.choices(List.of())
			.created(0)
			.model("gpt-4o-mini");
		if (usage != null) {
			builder.usage(usage);
		}
		return builder.build();
	}

}
