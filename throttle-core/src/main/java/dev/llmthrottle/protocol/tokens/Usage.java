package dev.llmthrottle.protocol.tokens;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a call really cost, from the provider's {@code usage}: used to settle the estimate
 * charged at admission.
 *
 * @param inputTokens input tokens that count toward the input/token limits (Anthropic:
 * {@code input_tokens + cache_creation_input_tokens}; OpenAI: {@code prompt_tokens},
 * cached tokens included since they count toward TPM; Gemini: {@code promptTokenCount})
 * @param outputTokens output tokens (OpenAI {@code completion_tokens} including
 * reasoning; Gemini {@code candidatesTokenCount + thoughtsTokenCount})
 * @param cachedInputTokens cache reads, for information (OpenAI {@code cached_tokens},
 * part of {@code inputTokens}; Anthropic {@code cache_read_input_tokens}, not part of it;
 * Gemini {@code cachedContentTokenCount}), if reported
 */
public record Usage(long inputTokens, long outputTokens, OptionalLong cachedInputTokens) {

	public Usage {
		Objects.requireNonNull(cachedInputTokens, "cachedInputTokens");
		if (inputTokens < 0 || outputTokens < 0
				|| (cachedInputTokens.isPresent() && cachedInputTokens.getAsLong() < 0)) {
			throw new IllegalArgumentException("usage must not be negative");
		}
	}

	/** Usage without a cached-token figure. */
	public static Usage of(long inputTokens, long outputTokens) {
		return new Usage(inputTokens, outputTokens, OptionalLong.empty());
	}

	/** Input plus output, saturating at {@link Long#MAX_VALUE}. */
	public long totalTokens() {
		return TokenJson.add(this.inputTokens, this.outputTokens);
	}

}
