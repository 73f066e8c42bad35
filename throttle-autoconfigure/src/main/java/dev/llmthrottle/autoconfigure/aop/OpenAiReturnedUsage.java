package dev.llmthrottle.autoconfigure.aop;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseUsage;
import org.jspecify.annotations.Nullable;

import dev.llmthrottle.protocol.tokens.Usage;

/**
 * The usage of openai-java's responses: {@code ChatCompletion} and a stream's
 * {@code ChatCompletionChunk} ({@code prompt_tokens}, cached tokens included, and
 * {@code completion_tokens}, reasoning included, as the OpenAI dialect counts them), the
 * Responses API's {@code Response}, and a bare {@code CompletionUsage} (what Spring AI's
 * OpenAI model keeps as its native usage).
 */
final class OpenAiReturnedUsage implements ReturnedUsage {

	/** The class whose presence enables this reader. */
	static final String MARKER = "com.openai.models.chat.completions.ChatCompletion";

	@Override
	public @Nullable Usage read(Object value, ReturnedUsages all) {
		if (value instanceof ChatCompletion completion) {
			return completion.usage().map(OpenAiReturnedUsage::usage).orElse(null);
		}
		if (value instanceof ChatCompletionChunk chunk) {
			return chunk.usage().map(OpenAiReturnedUsage::usage).orElse(null);
		}
		if (value instanceof Response response) {
			return response.usage().map(OpenAiReturnedUsage::usage).orElse(null);
		}
		if (value instanceof CompletionUsage usage) {
			return usage(usage);
		}
		if (value instanceof ResponseUsage usage) {
			return usage(usage);
		}
		return null;
	}

	private static @Nullable Usage usage(CompletionUsage usage) {
		long cached = usage.promptTokensDetails()
			.flatMap(CompletionUsage.PromptTokensDetails::cachedTokens)
			.orElse(-1L);
		return ReturnedUsage.of(usage.promptTokens(), usage.completionTokens(), cached);
	}

	private static @Nullable Usage usage(ResponseUsage usage) {
		return ReturnedUsage.of(usage.inputTokens(), usage.outputTokens(), -1);
	}

}
