package dev.llmthrottle.autoconfigure.aop;

import com.anthropic.models.messages.Message;
import org.jspecify.annotations.Nullable;

import dev.llmthrottle.protocol.tokens.Usage;

/**
 * The usage of anthropic-java's {@code Message} (and of a bare messages {@code Usage},
 * what Spring AI's Anthropic model keeps as its native usage), counted as the Anthropic
 * dialect counts it: input is {@code input_tokens + cache_creation_input_tokens}, cache
 * reads are reported apart.
 */
final class AnthropicReturnedUsage implements ReturnedUsage {

	/** The class whose presence enables this reader. */
	static final String MARKER = "com.anthropic.models.messages.Message";

	@Override
	public @Nullable Usage read(Object value, ReturnedUsages all) {
		if (value instanceof Message message) {
			return usage(message.usage());
		}
		if (value instanceof com.anthropic.models.messages.Usage usage) {
			return usage(usage);
		}
		return null;
	}

	private static @Nullable Usage usage(com.anthropic.models.messages.Usage usage) {
		long creation = usage.cacheCreationInputTokens().orElse(0L);
		if (creation < 0) {
			return null;
		}
		return ReturnedUsage.of(ReturnedUsage.add(usage.inputTokens(), creation), usage.outputTokens(),
				usage.cacheReadInputTokens().orElse(-1L));
	}

}
