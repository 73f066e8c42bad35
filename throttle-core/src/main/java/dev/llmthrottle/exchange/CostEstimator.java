package dev.llmthrottle.exchange;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;
import dev.llmthrottle.protocol.tokens.TokenEstimate;
import dev.llmthrottle.protocol.tokens.TokenEstimator;
import dev.llmthrottle.protocol.tokens.Usage;

/**
 * Turns a request body into the cost admitted before sending, and a response's usage into
 * the cost that settles it, following each dialect's accounting (design.md "Token
 * accounting dialects"): every dialect reserves its input plus the expected output
 * ({@code max_tokens x n}, or the provider's {@code default-output-tokens} when the
 * request states no maximum), and settles to the usage the response reports. Anthropic,
 * which counts output as it is produced, is reserved the same way: an output-tokens limit
 * must hold calls back before they run, not only after their debts are known.
 */
public final class CostEstimator {

	private final JtokkitTokenCounter counter;

	private final double safetyFactor;

	private final Map<String, TokenEstimator> estimators = new ConcurrentHashMap<>();

	public CostEstimator(JtokkitTokenCounter counter, double safetyFactor) {
		this.counter = counter;
		this.safetyFactor = safetyFactor;
	}

	/**
	 * The cost of a request whose body is {@code body} (JSON, possibly malformed or
	 * empty).
	 */
	public Cost estimate(LlmProvider provider, byte[] body) {
		if (body == null || body.length == 0) {
			return defaultCost(provider);
		}
		return estimate(provider, new String(body, StandardCharsets.UTF_8));
	}

	/** The cost of a request whose body is {@code body}. */
	public Cost estimate(LlmProvider provider, String body) {
		TokenEstimator estimator = this.estimators.computeIfAbsent(provider.name(), (name) -> TokenEstimator
			.forDialect(provider.dialect(), this.counter, provider.defaultOutputTokens(), this.safetyFactor));
		TokenEstimate estimate = estimator.estimate(body);
		return new Cost(1, estimate.inputTokens(), estimate.outputReservation());
	}

	/**
	 * The cost of a request nothing is known about: one request and the default output
	 * reservation.
	 */
	public Cost defaultCost(LlmProvider provider) {
		return new Cost(1, 0, provider.defaultOutputTokens());
	}

	/** What a call really cost, from the usage its response reported. */
	public static Cost actual(Usage usage) {
		return new Cost(1, usage.inputTokens(), usage.outputTokens());
	}

}
