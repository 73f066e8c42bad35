package dev.llmthrottle.sample.client;

import java.util.Map;
import java.util.function.Function;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

import dev.llmthrottle.annotation.LlmThrottled;

/**
 * The batch's calls, one method per configured provider (the annotation names its provider as a constant).
 *
 * <p>
 * Each call is admitted once, by the annotation: it waits (without blocking a thread) until a concurrency slot
 * and room in every limit are free, charging one request and the {@code tokens} estimate. The starter's
 * {@code WebClient} filter sees the permit in the Reactor context and does not admit again; it only handles 429s,
 * retries and rate-limit headers.
 */
@Service
public class ThrottledChat {

	private final ChatClient client;

	private final ProviderEndpoints endpoints;

	public ThrottledChat(ChatClient client, ProviderEndpoints endpoints) {
		this.client = client;
		this.endpoints = endpoints;
	}

	/** OpenAI counts the prompt estimate plus {@code max_tokens} at admission, so that is what is reserved. */
	@LlmThrottled(provider = "openai-sim", tokens = "#prompt.estimatedTokens()")
	public Mono<Completion> openAiSim(Prompt prompt) {
		return this.client.complete(this.endpoints.get("openai-sim"), prompt);
	}

	/** Anthropic counts input tokens at admission; output tokens are counted as they are generated. */
	@LlmThrottled(provider = "anthropic-sim", tokens = "#prompt.estimatedInputTokens()")
	public Mono<Completion> anthropicSim(Prompt prompt) {
		return this.client.complete(this.endpoints.get("anthropic-sim"), prompt);
	}

	/**
	 * The annotated method of a provider, called through this bean's proxy (so the annotation applies).
	 * @throws IllegalArgumentException for a provider without a method here
	 */
	public static Function<Prompt, Mono<Completion>> method(ThrottledChat proxy, String provider) {
		Map<String, Function<Prompt, Mono<Completion>>> methods = Map.of("openai-sim", proxy::openAiSim,
				"anthropic-sim", proxy::anthropicSim);
		Function<Prompt, Mono<Completion>> method = methods.get(provider);
		if (method == null) {
			throw new IllegalArgumentException("sample.batch.provider=" + provider + " has no @LlmThrottled method in "
					+ ThrottledChat.class.getSimpleName() + " (have: " + methods.keySet() + ")");
		}
		return method;
	}

}
