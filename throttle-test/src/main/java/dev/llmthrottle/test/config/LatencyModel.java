package dev.llmthrottle.test.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Response latency: {@code base + perOutputToken * outputTokens + U[0, jitter)}, with the
 * jitter drawn from the provider's seeded random source. When streaming, the base (plus
 * jitter) is the time to the first byte and the per-token part is spread over the content
 * events. A step multiplies every part by {@code stepFactor} for calls that arrive
 * {@code stepAfter} or more after the provider started (a provider whose latency doubles
 * at an instant: {@code withStep(30s, 2)}).
 *
 * @param base fixed part
 * @param perOutputToken added per generated output token
 * @param jitter upper bound of a uniformly distributed random addition
 * @param stepAfter when the step happens, after the provider's start; zero for no step
 * @param stepFactor what the latency is multiplied by from then on (1 for none)
 */
public record LatencyModel(Duration base, Duration perOutputToken, Duration jitter, Duration stepAfter,
		double stepFactor) {

	/** Validates the components (all non-negative, a finite positive factor). */
	public LatencyModel {
		requireNonNegative(base, "base");
		requireNonNegative(perOutputToken, "perOutputToken");
		requireNonNegative(jitter, "jitter");
		requireNonNegative(stepAfter, "stepAfter");
		if (!(stepFactor > 0) || !Double.isFinite(stepFactor) || stepFactor > 1000) {
			throw new IllegalArgumentException("stepFactor must be in (0, 1000]: " + stepFactor);
		}
	}

	/** A latency without a step. */
	public LatencyModel(Duration base, Duration perOutputToken, Duration jitter) {
		this(base, perOutputToken, jitter, Duration.ZERO, 1);
	}

	/**
	 * The same latency, multiplied by {@code factor} for calls arriving {@code after} or
	 * more after the provider started.
	 */
	public LatencyModel withStep(Duration after, double factor) {
		return new LatencyModel(base, perOutputToken, jitter, after, factor);
	}

	/**
	 * {@code nanos} of latency for a call arriving {@code elapsedNanos} after the
	 * provider started (saturating).
	 */
	public long scaled(long nanos, long elapsedNanos) {
		if (stepFactor == 1 || stepAfter.isZero() || elapsedNanos < stepAfter.toNanos()) {
			return nanos;
		}
		double scaled = nanos * stepFactor;
		return (scaled >= Long.MAX_VALUE) ? Long.MAX_VALUE : (long) scaled;
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
