package dev.llmthrottle.sample.client;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

import dev.llmthrottle.annotation.LlmThrottled;

/**
 * The batch's calls, to the provider {@code sample.batch.provider} selects: the
 * annotation names it with a placeholder, resolved at startup, so any configured provider
 * works without a method of its own (one defined only on the command line too).
 *
 * <p>
 * Each call is admitted once, by the annotation: it waits (without blocking a thread)
 * until a concurrency slot and room in every limit are free, charging one request and the
 * {@code tokens} estimate. The starter's {@code WebClient} filter sees the permit in the
 * Reactor context and does not admit again; it only handles 429s, retries and rate-limit
 * headers.
 */
@Service
public class ThrottledChat {

	private final ChatClient client;

	public ThrottledChat(ChatClient client) {
		this.client = client;
	}

	/**
	 * One completion from the batch's provider; {@code endpoint} must be that provider's.
	 * What is reserved at admission follows the provider's dialect
	 * ({@link ProviderEndpoint#admissionTokens(Prompt)}).
	 */
	@LlmThrottled(provider = "${sample.batch.provider}", tokens = "#endpoint.admissionTokens(#prompt)")
	public Mono<Completion> complete(ProviderEndpoint endpoint, Prompt prompt) {
		return this.client.complete(endpoint, prompt);
	}

}
