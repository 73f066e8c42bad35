package dev.llmthrottle.test.config;

/**
 * How many output tokens a completion has: uniformly distributed in
 * {@code [ceil(maxTokens * minFraction), floor(maxTokens * maxFraction)]} (at least 1),
 * drawn from a random source seeded by the provider seed and the request body, so the
 * same request always gets the same length regardless of arrival order.
 *
 * @param minFraction lower bound as a fraction of {@code max_tokens}, in (0, 1]
 * @param maxFraction upper bound as a fraction of {@code max_tokens}, in [minFraction, 1]
 */
public record CompletionLength(double minFraction, double maxFraction) {

	/** Validates the bounds. */
	public CompletionLength {
		if (!(minFraction > 0 && minFraction <= 1 && maxFraction >= minFraction && maxFraction <= 1)) {
			throw new IllegalArgumentException(
					"Completion fractions must satisfy 0 < min <= max <= 1: " + minFraction + ".." + maxFraction);
		}
	}

	/** The default: uniform in [max_tokens/4, max_tokens]. */
	public static CompletionLength defaults() {
		return new CompletionLength(0.25, 1.0);
	}

	/** Always the given fraction of {@code max_tokens}. */
	public static CompletionLength fraction(double fraction) {
		return new CompletionLength(fraction, fraction);
	}

	/**
	 * The completion length for a request.
	 * @param maxTokens the request's {@code max_tokens} (or the default), at least 1
	 * @param uniform a uniform random number in [0, 1)
	 */
	public long tokens(long maxTokens, double uniform) {
		long low = Math.max(1, (long) Math.ceil(maxTokens * minFraction));
		long high = Math.max(low, Math.min(maxTokens, (long) Math.floor(maxTokens * maxFraction)));
		long span = high - low + 1;
		return Math.min(high, low + (long) Math.floor(uniform * span));
	}
}
