package dev.llmthrottle.test.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Response latency: {@code base + perOutputToken * outputTokens + U[0, jitter)}, with the
 * jitter drawn from the provider's seeded random source. When streaming, the base (plus
 * jitter) is the time to the first byte and the per-token part is spread over the content
 * events.
 *
 * <p>
 * Arrival jitter is the network's delay on the way in: each request waits
 * {@code U[0, arrivalJitter)} (from its own seeded source) before it reaches the
 * enforcer, so requests a client sends evenly are stamped unevenly, as a real provider
 * stamps them.
 *
 * @param base fixed part
 * @param perOutputToken added per generated output token
 * @param jitter upper bound of a uniformly distributed random addition
 * @param arrivalJitter upper bound of a uniformly distributed delay before the request
 * reaches the enforcer
 */
public record LatencyModel(Duration base, Duration perOutputToken, Duration jitter, Duration arrivalJitter) {

	/** Validates the components (all non-negative). */
	public LatencyModel {
		requireNonNegative(base, "base");
		requireNonNegative(perOutputToken, "perOutputToken");
		requireNonNegative(jitter, "jitter");
		requireNonNegative(arrivalJitter, "arrivalJitter");
	}

	/** A latency model without arrival jitter. */
	public LatencyModel(Duration base, Duration perOutputToken, Duration jitter) {
		this(base, perOutputToken, jitter, Duration.ZERO);
	}

	/** This model with requests delayed by {@code U[0, arrivalJitter)} on arrival. */
	public LatencyModel withArrivalJitter(Duration arrivalJitter) {
		return new LatencyModel(this.base, this.perOutputToken, this.jitter, arrivalJitter);
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
