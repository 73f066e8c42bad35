package dev.llmthrottle.autoconfigure.actuate;

import dev.llmthrottle.exchange.RetryPolicy;
import java.time.Duration;
import java.util.List;

import dev.llmthrottle.autoconfigure.Backend;
import dev.llmthrottle.autoconfigure.ProviderDefinition;
import dev.llmthrottle.autoconfigure.ProviderDefinitions;
import dev.llmthrottle.autoconfigure.ThrottlePolicyFactory;
import dev.llmthrottle.autoconfigure.events.FanOutListener;
import dev.llmthrottle.autoconfigure.events.ThrottleEventRecorder;
import dev.llmthrottle.autoconfigure.events.VirtualClock;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.protocol.Dialect;

/**
 * Two providers on virtual time, listened to by the statistics and the event recorder,
 * with the endpoint over them: {@code openai} (10 requests and 1,000 tokens per minute, 2
 * concurrent, 1 waiting, no pacing) and {@code anthropic} (50 requests per minute, 100
 * output tokens reserved by default).
 */
final class EndpointFixture {

	static final String CANARY = "sk-test-CANARY-1234567890";

	final VirtualTimeSource time = new VirtualTimeSource();

	final VirtualClock clock = new VirtualClock(this.time);

	final ThrottleStatistics statistics = new ThrottleStatistics(this.clock);

	final ThrottleEventRecorder recorder = new ThrottleEventRecorder(this.clock);

	final ThrottleListener listener = FanOutListener.of(this.statistics, this.recorder);

	final ThrottlePolicy openaiPolicy = new ThrottlePolicy("openai",
			List.of(Limit.perMinute(Dimension.REQUESTS, 10), Limit.perMinute(Dimension.TOKENS, 1000)), 2,
			Duration.ofSeconds(10), 1, Duration.ofMinutes(1), 1000);

	final ThrottlePolicy anthropicPolicy = ThrottlePolicy.of("anthropic", 0, Limit.perMinute(Dimension.REQUESTS, 50));

	final ProviderThrottler openai;

	final ProviderThrottler anthropic;

	final LlmThrottlers throttlers;

	final ProviderDefinitions definitions;

	final ProviderLimitsUpdater updater;

	EndpointFixture() {
		PartitionKeys keys = PartitionKeys.withRandomSecret();
		this.openai = new ProviderThrottler(this.openaiPolicy, this.time, keys, this.listener);
		this.anthropic = new ProviderThrottler(this.anthropicPolicy, this.time, keys, this.listener);
		this.throttlers = new LlmThrottlers(List.of(this.openai, this.anthropic));
		this.definitions = new ProviderDefinitions(List.of(
				new ProviderDefinition("openai", List.of(), Dialect.OPENAI, Backend.MEMORY, this.openaiPolicy, 0, false,
						RetryPolicy.DEFAULT),
				new ProviderDefinition("anthropic", List.of(), Dialect.ANTHROPIC, Backend.MEMORY, this.anthropicPolicy,
						100, false, RetryPolicy.DEFAULT)));
		this.updater = new ProviderLimitsUpdater(this.throttlers, this.definitions, new ThrottlePolicyFactory(),
				this.recorder);
	}

	LlmThrottleEndpoint endpoint(int partitionsShown) {
		return new LlmThrottleEndpoint(this.throttlers, this.statistics, this.definitions, this.updater, this.clock,
				partitionsShown);
	}

}
