package dev.llmthrottle.exchange;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;

/**
 * How a throttled call is retried: attempts, full-jitter exponential backoff, the longest
 * provider hint worth waiting for, and an overall deadline. Every retry goes back through
 * admission, so it is counted against the limits like any call (providers count failed
 * requests too).
 *
 * @param maxAttempts attempts in all, including the first; 1 disables retries
 * @param initialBackoff the backoff ceiling of the first retry
 * @param maxBackoff the largest backoff ceiling
 * @param maxRetryAfter the longest provider hint honoured; a longer one fails the call at
 * once
 * @param deadline the longest a call may take over all its attempts, or {@code null} for
 * none
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter,
		@Nullable Duration deadline) {

	/** Three attempts, 500 ms doubling to 8 s, hints up to 120 s, no deadline. */
	public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(8),
			Duration.ofSeconds(120), null);

	public RetryPolicy {
		Objects.requireNonNull(initialBackoff, "initialBackoff");
		Objects.requireNonNull(maxBackoff, "maxBackoff");
		Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("maxAttempts must be at least 1 but was " + maxAttempts);
		}
		if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxRetryAfter.isNegative()) {
			throw new IllegalArgumentException("backoffs and max-retry-after must not be negative");
		}
		if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
			throw new IllegalArgumentException("deadline must be positive");
		}
	}

	/**
	 * The backoff before retry number {@code retry} (1 for the first retry): uniformly
	 * random between zero and {@code min(maxBackoff, initialBackoff * 2^(retry-1))}
	 * ("full jitter", which spreads a crowd of retrying callers best).
	 */
	public Duration backoff(int retry, RandomGenerator random) {
		long ceiling = ceilingNanos(retry);
		return Duration.ofNanos((ceiling == 0) ? 0 : random.nextLong(ceiling + 1));
	}

	/** The upper bound of {@link #backoff} for retry number {@code retry}. */
	public long ceilingNanos(int retry) {
		long initial = this.initialBackoff.toNanos();
		long max = this.maxBackoff.toNanos();
		int shift = Math.min(Math.max(0, retry - 1), 62);
		long scaled = (initial > (Long.MAX_VALUE >> shift)) ? Long.MAX_VALUE : initial << shift;
		return Math.min(max, scaled);
	}

	/** Whether another attempt may follow attempt number {@code attempt}. */
	public boolean allowsAnotherAttempt(int attempt) {
		return attempt < this.maxAttempts;
	}

}
