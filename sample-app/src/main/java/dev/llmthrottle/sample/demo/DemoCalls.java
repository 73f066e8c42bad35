package dev.llmthrottle.sample.demo;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

import dev.llmthrottle.annotation.LlmThrottled;
import dev.llmthrottle.sample.client.ChatClient;
import dev.llmthrottle.sample.client.Completion;
import dev.llmthrottle.sample.client.Prompt;
import dev.llmthrottle.sample.client.ProviderEndpoints;

/**
 * The three shapes of a throttled call, side by side. The annotation is the same on each;
 * what differs is how the caller waits for admission: a blocking method parks its thread,
 * a {@code Mono} is subscribed once admitted, and a {@code Flux} holds its permit until
 * the stream ends or is cancelled.
 */
@Service
public class DemoCalls {

	private static final String PROVIDER = "openai-sim";

	private final ChatClient client;

	private final ProviderEndpoints endpoints;

	public DemoCalls(ChatClient client, ProviderEndpoints endpoints) {
		this.client = client;
		this.endpoints = endpoints;
	}

	/**
	 * Blocking: waits on the calling thread (never call it on an event loop), then a
	 * {@code RestClient} call.
	 */
	@LlmThrottled(provider = PROVIDER, tokens = "#prompt.estimatedTokens()")
	public String blocking(Prompt prompt) {
		return this.client.completeBlocking(this.endpoints.get(PROVIDER), prompt).text();
	}

	/**
	 * Reactive: nothing is sent until the returned {@code Mono} is subscribed and
	 * admitted.
	 */
	@LlmThrottled(provider = PROVIDER, tokens = "#prompt.estimatedTokens()")
	public Mono<String> mono(Prompt prompt) {
		return this.client.complete(this.endpoints.get(PROVIDER), prompt).map(Completion::text);
	}

	/**
	 * Streamed: the permit is held while text arrives, and released when the stream
	 * completes or is cancelled.
	 */
	@LlmThrottled(provider = PROVIDER, tokens = "#prompt.estimatedTokens()")
	public Flux<String> stream(Prompt prompt) {
		return this.client.stream(this.endpoints.get(PROVIDER), prompt);
	}

}
