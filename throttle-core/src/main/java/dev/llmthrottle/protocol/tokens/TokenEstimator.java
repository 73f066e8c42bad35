package dev.llmthrottle.protocol.tokens;

import java.util.Objects;

import dev.llmthrottle.protocol.Dialect;

/**
 * Estimates a request's token cost from its JSON body, before it is sent. Implementations
 * never throw on a malformed body: they fall back to chars/4 of the raw text and the
 * default output.
 */
@FunctionalInterface
public interface TokenEstimator {

	/**
	 * The safety factor applied to heuristic (non-tokenizer) input estimates by default.
	 */
	double DEFAULT_SAFETY_FACTOR = 1.2;

	/**
	 * Estimates one request.
	 * @param requestBody the JSON request body, may be {@code null} or malformed
	 * @return the estimate, never {@code null}
	 */
	TokenEstimate estimate(String requestBody);

	/**
	 * The estimator for a dialect: {@link OpenAiTokenEstimator} for OpenAI and Azure,
	 * {@link HeuristicTokenEstimator} for every other dialect.
	 * @param dialect the dialect
	 * @param counter the shared jtokkit counter (used by OpenAI and Azure only)
	 * @param defaultOutputTokens the output reservation when a request states no maximum,
	 * at least 0
	 * @param safetyFactor the factor applied to heuristic input estimates, at least 1
	 * @return the estimator
	 */
	static TokenEstimator forDialect(Dialect dialect, JtokkitTokenCounter counter, long defaultOutputTokens,
			double safetyFactor) {
		Objects.requireNonNull(dialect, "dialect");
		if (dialect.usesOpenAiTokenizer()) {
			return new OpenAiTokenEstimator(counter, defaultOutputTokens);
		}
		return new HeuristicTokenEstimator(defaultOutputTokens, safetyFactor);
	}

}
