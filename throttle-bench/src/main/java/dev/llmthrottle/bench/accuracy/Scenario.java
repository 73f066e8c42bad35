package dev.llmthrottle.bench.accuracy;

import java.net.URI;

import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.EnforcementModel;

/**
 * One cell of the matrix: a client against the simulated provider in one enforcement
 * model.
 *
 * @param client the client under test
 * @param model how the provider enforces its limits
 * @param provider the provider's real limits
 * @param configured the limits the client is configured with, or {@code null} for
 * {@code auto}
 * @param neighbourShare the share of every limit an unseen neighbour takes, 0 for none
 */
public record Scenario(ClientKind client, EnforcementModel model, Quota provider, Quota configured,
		double neighbourShare) {

	/** The scenario of {@code client} in {@code model}, given the matrix's base quota. */
	static Scenario of(ClientKind client, EnforcementModel model, Quota base, double neighbourShare) {
		return switch (client) {
			// auto is per minute (requests-per-minute, tokens-per-minute; the OpenAI
			// headers state per-minute limits),
			// so these cells run the same rates over a minute.
			case LLM_THROTTLE_AUTO ->
				new Scenario(client, model, base.stretched(60 / base.period().toSeconds()), null, 0);
			case LLM_THROTTLE_NOISY -> new Scenario(client, model, base, base, neighbourShare);
			// no headers, unknown limits: the requests limit over 10 s, tokens out of
			// reach
			case LLM_THROTTLE_HEADERLESS -> new Scenario(client, model,
					new Quota(base.requests(), base.tokens() * 1000, java.time.Duration.ofSeconds(10)), null, 0);
			default -> new Scenario(client, model, base, base, 0);
		};
	}

	/** Builds the client for a running provider. */
	BatchClient createClient(SimulatedProvider simulator, ClientOptions options) {
		URI chat = simulator.chatUri();
		int maxConcurrent = options.maxConcurrent();
		return switch (this.client) {
			case NAIVE -> new NaiveClient(chat, maxConcurrent);
			case R4J_DOCS -> new Resilience4jClient(chat, this.configured, maxConcurrent, false);
			case R4J_TUNED -> new Resilience4jClient(chat, this.configured, maxConcurrent, true);
			case OPENAI_SDK -> new OpenAiSdkClient(simulator.baseUrl());
			case LLM_THROTTLE, LLM_THROTTLE_AUTO, LLM_THROTTLE_NOISY, LLM_THROTTLE_HEADERLESS ->
				new LlmThrottleClient(simulator.baseUrl(), chat, this.configured, options);
			case LLM_THROTTLE_REDIS_X3 ->
				new RedisInstancesClient(3, simulator.baseUrl(), chat, this.configured, options);
		};
	}

}
