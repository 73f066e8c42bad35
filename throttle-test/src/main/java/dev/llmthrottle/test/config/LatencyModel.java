package dev.llmthrottle.test.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Response latency: {@code base + perOutputToken * outputTokens + U[0, jitter)}, with the
 * jitter drawn from the provider's seeded random source. When streaming, the base (plus
 * jitter) is the time to the first byte and the per-token part is spread over the content
 * events.
 *
 * @param base fixed part
 * @param perOutputToken added per generated output token
 * @param jitter upper bound of a uniformly distributed random addition
 */
public record LatencyModel(Duration base, Duration perOutputToken, Duration jitter) {

	/** Validates the components (all non-negative). */
	public LatencyModel {
		requireNonNegative(base, "base");
		requireNonNegative(perOutputToken, "perOutputToken");
		requireNonNegative(jitter, "jitter");
	}

	/** No latency at all. */
	public static LatencyModel none() {
		return new LatencyModel(Duration.ZERO, Duration.ZERO, Duration.ZERO);
	}

	/** A fixed latency. */
	public static LatencyModel fixed(Duration base) {
		return new LatencyModel(base, Duration.ZERO, Duration.ZERO);
	}

	private static void requireNonNegative(Duration d, String name) {
		Objects.requireNonNull(d, name);
		if (d.isNegative()) {
			throw new IllegalArgumentException(name + " must not be negative: " + d);
		}
	}
}
