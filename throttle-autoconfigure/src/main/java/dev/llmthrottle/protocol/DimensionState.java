package dev.llmthrottle.protocol;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one response's headers say about one dimension. Every part is optional: {@code -1},
 * negative, malformed and inconsistent values are reported as unknown, never guessed.
 *
 * @param dimension the dimension
 * @param limit the limit the provider enforces, at least 1, if reported
 * @param remaining what is left, at most {@code limit}, if reported
 * @param resetMillis milliseconds from the response until the budget is <em>fully</em> restored
 * (not until the next free slot), at least 0, if reported
 * @param window the period the limit applies to in this dialect (one minute for OpenAI, one day for
 * Groq requests), if known
 */
public record DimensionState(RateDimension dimension, OptionalLong limit, OptionalLong remaining,
		OptionalLong resetMillis, Optional<Duration> window) {

	public DimensionState {
		Objects.requireNonNull(dimension, "dimension");
		Objects.requireNonNull(limit, "limit");
		Objects.requireNonNull(remaining, "remaining");
		Objects.requireNonNull(resetMillis, "resetMillis");
		Objects.requireNonNull(window, "window");
	}

	/** Whether the provider reported nothing left (remaining is 0). */
	public boolean exhausted() {
		return this.remaining.isPresent() && this.remaining.getAsLong() == 0;
	}

}
