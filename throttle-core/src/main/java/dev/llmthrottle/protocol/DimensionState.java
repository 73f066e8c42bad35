package dev.llmthrottle.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one response's headers say about one dimension. Every part is optional:
 * {@code -1}, negative, malformed and inconsistent values are reported as unknown, never
 * guessed. A reset header alone (without its limit and remaining companions) still makes
 * a state: it says when that budget is full again.
 *
 * @param dimension the dimension
 * @param limit the limit the provider enforces, at least 1, if reported
 * @param remaining what is left, at most {@code limit}, if reported
 * @param resetMillis milliseconds from the response until the budget is <em>fully</em>
 * restored (not until the next free slot), at least 0 and at most
 * {@link TimeParsers#HORIZON}, if reported
 * @param window the period the limit applies to in this dialect (one minute for OpenAI,
 * one day for Groq requests), if known
 * @param resetAt the instant of the reset when the header stated one (an RFC 3339 instant
 * or an epoch) rather than a duration
 */
public record DimensionState(RateDimension dimension, OptionalLong limit, OptionalLong remaining,
		OptionalLong resetMillis, Optional<Duration> window, Optional<Instant> resetAt) {

	public DimensionState {
		Objects.requireNonNull(dimension, "dimension");
		Objects.requireNonNull(limit, "limit");
		Objects.requireNonNull(remaining, "remaining");
		Objects.requireNonNull(resetMillis, "resetMillis");
		Objects.requireNonNull(window, "window");
		Objects.requireNonNull(resetAt, "resetAt");
	}

	/** A state whose reset, if any, was a duration. */
	public DimensionState(RateDimension dimension, OptionalLong limit, OptionalLong remaining, OptionalLong resetMillis,
			Optional<Duration> window) {
		this(dimension, limit, remaining, resetMillis, window, Optional.empty());
	}

	/** Whether the provider reported nothing left (remaining is 0). */
	public boolean exhausted() {
		return this.remaining.isPresent() && this.remaining.getAsLong() == 0;
	}

	/**
	 * Whether, on a refusal, this dimension's reset says when to retry (protocol.md
	 * §8.5): nothing is left, or the reset is an instant and nothing is said about what
	 * remains.
	 */
	public boolean resetIsRetryHint() {
		return this.resetMillis.isPresent() && (exhausted() || (this.remaining.isEmpty() && this.resetAt.isPresent()));
	}

}
