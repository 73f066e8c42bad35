package dev.llmthrottle.autoconfigure.aop;

import java.util.List;
import java.util.OptionalLong;

import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.StopReason;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.metadata.EmptyUsage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;

import dev.llmthrottle.core.Cost;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The readers of the usage a value returned by an {@code @LlmThrottled} method carries,
 * one type at a time, against objects built with the real libraries' builders. The
 * openai-java reader is tested in the sample's tests ({@code OpenAiReturnedUsageTests}):
 * this module's tests stand in for parts of openai-java, so the real SDK is kept off
 * their class path.
 */
class ReturnedUsagesTests {

	private final ReturnedUsages usages = ReturnedUsages.forClassPath(getClass().getClassLoader());

	@Test
	void everyLibraryOnTheClassPathHasItsReader() {
		assertThat(this.usages.isEmpty()).isFalse();
		assertThat(this.usages.readerCount()).isEqualTo(3);
		assertThat(ReturnedUsages.forClassPath(new ClassLoader(null) {
		}).isEmpty()).isTrue();
	}

	@Test
	void anthropicMessageCountsCacheCreationAsInputAndCacheReadsApart() {
		Message message = Anthropic.message(100, 40, 2000L, 5000L);
		assertThat(this.usages.cost(message)).isEqualTo(new Cost(1, 2100, 40));
		assertThat(this.usages.usage(message).cachedInputTokens()).isEqualTo(OptionalLong.of(5000));
	}

	@Test
	void anthropicMessageWithoutCacheFigures() {
		assertThat(this.usages.cost(Anthropic.message(100, 40, null, null))).isEqualTo(new Cost(1, 100, 40));
	}

	@Test
	void springAiChatResponseUsesPromptAndCompletionTokens() {
		assertThat(this.usages.cost(SpringAi.response(new DefaultUsage(321, 45)))).isEqualTo(new Cost(1, 321, 45));
	}

	@Test
	void springAiChatResponsePrefersTheNativeUsageOfAKnownSdk() {
		// Spring AI's Anthropic model: its prompt tokens leave the cache writes out, the
		// Anthropic dialect counts them
		DefaultUsage usage = new DefaultUsage(100, 40, 140, Anthropic.usage(100, 40, 2000L, null));
		assertThat(this.usages.cost(SpringAi.response(usage))).isEqualTo(new Cost(1, 2100, 40));
	}

	@Test
	void springAiChatResponseWithAnUnknownNativeUsageFallsBackToItsCounts() {
		DefaultUsage usage = new DefaultUsage(12, 34, 46, java.util.Map.of("prompt_eval_count", 12));
		assertThat(this.usages.cost(SpringAi.response(usage))).isEqualTo(new Cost(1, 12, 34));
	}

	@Test
	void springAiEmptyOrMissingUsageIsNoUsage() {
		assertThat(this.usages.cost(SpringAi.response(new EmptyUsage()))).isNull();
		assertThat(this.usages.cost(SpringAi.response(null))).isNull();
		assertThat(this.usages.cost(new ChatResponse(List.of()))).isNull();
		assertThat(this.usages.cost(SpringAi.response(new DefaultUsage(null, null)))).isNull();
	}

	@Test
	void springAiUsageWithNegativeCountsIsNoUsage() {
		assertThat(this.usages.cost(SpringAi.response(new DefaultUsage(-5, 10)))).isNull();
	}

	@Test
	void anUnknownOrNullValueHasNoUsage() {
		assertThat(this.usages.cost(null)).isNull();
		assertThat(this.usages.cost("a plain string")).isNull();
		assertThat(this.usages.cost(new Object())).isNull();
	}

	@Test
	void hugeCountsSaturateInsteadOfOverflowing() {
		Message message = Anthropic.message(Long.MAX_VALUE - 1, 1, 10L, null);
		assertThat(this.usages.cost(message)).isEqualTo(new Cost(1, Long.MAX_VALUE, 1));
	}

	@Test
	void aReaderThatThrowsGivesNoUsageAndTheNextIsNotAsked() {
		ReturnedUsages throwing = new ReturnedUsages(List.of((value, all) -> {
			throw new IllegalStateException("`prompt_tokens` is not set");
		}, (value, all) -> dev.llmthrottle.protocol.tokens.Usage.of(1, 1)));
		assertThat(throwing.cost("anything")).isNull();
		ReturnedUsages linkage = new ReturnedUsages(List.of((value, all) -> {
			throw new NoSuchMethodError("com.anthropic.models.messages.Usage.inputTokens()");
		}));
		assertThat(linkage.cost("anything")).isNull();
	}

	@Test
	void streamKeepsTheLastUsageAnElementCarried() {
		ReturnedUsages.StreamUsage stream = this.usages.new StreamUsage();
		assertThat(stream.cost()).isNull();
		stream.onElement(SpringAi.response(new EmptyUsage()));
		stream.onElement(SpringAi.response(new DefaultUsage(10, 1)));
		stream.onElement(SpringAi.response(new EmptyUsage()));
		stream.onElement(SpringAi.response(new DefaultUsage(10, 25)));
		stream.onElement(SpringAi.response(new EmptyUsage()));
		stream.onElement(null);
		assertThat(stream.cost()).isEqualTo(new Cost(1, 10, 25));
	}

	/** Spring AI values. */
	static final class SpringAi {

		static ChatResponse response(Usage usage) {
			ChatResponseMetadata.Builder metadata = ChatResponseMetadata.builder();
			if (usage != null) {
				metadata.usage(usage);
			}
			return new ChatResponse(List.of(new Generation(new AssistantMessage("hello"))), metadata.build());
		}

	}

	/** anthropic-java values. */
	static final class Anthropic {

		static com.anthropic.models.messages.Usage usage(long input, long output, Long cacheCreation, Long cacheRead) {
			return com.anthropic.models.messages.Usage.builder()
				.inputTokens(input)
				.outputTokens(output)
				.cacheCreationInputTokens(java.util.Optional.ofNullable(cacheCreation))
				.cacheReadInputTokens(java.util.Optional.ofNullable(cacheRead))
				.cacheCreation(java.util.Optional.empty())
				.inferenceGeo(java.util.Optional.empty())
				.outputTokensDetails(java.util.Optional.empty())
				.serverToolUse(java.util.Optional.empty())
				.serviceTier(java.util.Optional.empty())
				.speed(java.util.Optional.empty())
				.build();
		}

		static Message message(long input, long output, Long cacheCreation, Long cacheRead) {
			return Message.builder()
				.id("msg_1")
				.content(List.of())
				.model("claude-sonnet-4-5")
				.stopReason(StopReason.END_TURN)
				.stopSequence(java.util.Optional.empty())
				.container(java.util.Optional.empty())
				.stopDetails(java.util.Optional.empty())
				.diagnostics(java.util.Optional.empty())
				.usage(usage(input, output, cacheCreation, cacheRead))
				.build();
		}

	}

}
