package dev.llmthrottle.exchange;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.protocol.Dialect;

/** Builds providers for exchange tests. */
final class ExchangeTestSupport {

	private ExchangeTestSupport() {
	}

	static LlmProvider provider(String name, Dialect dialect, String baseUrl, TimeSource time, RetryPolicy retry,
			Limit... limits) {
		ThrottlePolicy policy = new ThrottlePolicy(name,
				(limits.length > 0) ? List.of(limits)
						: List.of(Limit.of(Dimension.REQUESTS, 1_000_000, Duration.ofMinutes(1))),
				0, Duration.ofMinutes(10), 1000, Duration.ofMinutes(1), 100);
		ProviderThrottler throttler = new ProviderThrottler(policy, time, PartitionKeys.withRandomSecret(),
				ThrottleListener.NONE);
		return new LlmProvider(name, dialect, List.of(URI.create(baseUrl)), retry, 100, throttler);
	}

}
