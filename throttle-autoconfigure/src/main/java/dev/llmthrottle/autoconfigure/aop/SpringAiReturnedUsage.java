package dev.llmthrottle.autoconfigure.aop;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.model.ChatResponse;

import dev.llmthrottle.protocol.tokens.Usage;

/**
 * The usage of Spring AI's {@code ChatResponse} (a whole response, or one element of a
 * {@code Flux<ChatResponse>} stream): the model's native usage when another reader knows
 * it (openai-java's or anthropic-java's, counted as their dialects count them), else the
 * prompt and completion tokens of {@code getMetadata().getUsage()}. An empty usage (zero
 * tokens, as Spring AI reports when the provider gave none) is no usage.
 */
final class SpringAiReturnedUsage implements ReturnedUsage {

	/** The class whose presence enables this reader. */
	static final String MARKER = "org.springframework.ai.chat.model.ChatResponse";

	@Override
	public @Nullable Usage read(Object value, ReturnedUsages all) {
		if (!(value instanceof ChatResponse response)) {
			return null;
		}
		ChatResponseMetadata metadata = response.getMetadata();
		org.springframework.ai.chat.metadata.Usage usage = (metadata != null) ? metadata.getUsage() : null;
		if (usage == null) {
			return null;
		}
		Object nativeUsage = usage.getNativeUsage();
		if (nativeUsage != null && !(nativeUsage instanceof ChatResponse)) {
			Usage known = all.usage(nativeUsage);
			if (known != null) {
				return known;
			}
		}
		Integer prompt = usage.getPromptTokens();
		Integer completion = usage.getCompletionTokens();
		return ReturnedUsage.of((prompt != null) ? prompt : 0, (completion != null) ? completion : 0, -1);
	}

}
