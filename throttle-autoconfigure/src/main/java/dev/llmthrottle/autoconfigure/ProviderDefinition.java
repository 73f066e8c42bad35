package dev.llmthrottle.autoconfigure;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.exchange.RetryPolicy;
import dev.llmthrottle.protocol.Dialect;

/**
 * One provider as configured, merged with the defaults, validated and resolved: what its
 * throttler enforces ({@link #policy()}) plus what the HTTP filters and the annotation
 * need to know about it.
 *
 * @param name the provider name
 * @param baseUrls base URLs of its API, absolute http(s); may be empty
 * @param dialect how it reports usage and rate limits
 * @param backend where its throttle state lives
 * @param policy what its throttler enforces
 * @param defaultOutputTokens output tokens reserved for a call of unknown size, 0 when
 * none
 * @param unlimited whether it may have no limit at all
 * @param retry how refused calls are retried
 */
public record ProviderDefinition(String name, List<URI> baseUrls, Dialect dialect, Backend backend,
		ThrottlePolicy policy, long defaultOutputTokens, boolean unlimited, RetryPolicy retry) {

	public ProviderDefinition {
		Objects.requireNonNull(name, "name");
		baseUrls = List.copyOf(baseUrls);
		Objects.requireNonNull(dialect, "dialect");
		Objects.requireNonNull(backend, "backend");
		Objects.requireNonNull(policy, "policy");
		Objects.requireNonNull(retry, "retry");
	}

	/**
	 * What a call of unknown size costs: one request plus the default output reservation,
	 * if any.
	 */
	public Cost defaultCost() {
		return (this.defaultOutputTokens > 0) ? Cost.of(0, this.defaultOutputTokens) : Cost.oneRequest();
	}

}
