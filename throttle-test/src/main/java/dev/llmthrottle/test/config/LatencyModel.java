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
 * @param stepAfter when the step happens, after the provider's start; zero for no step
 * @param stepFactor what the latency is multiplied by from then on (1 for none)
 */
public record LatencyModel(Duration base, Duration perOutputToken, Duration jitter, Duration arrivalJitter,
		Duration stepAfter, double stepFactor) {

	/** Validates the components (all non-negative, a finite positive factor). */
	public LatencyModel {
		requireNonNegative(base, "base");
		requireNonNegative(perOutputToken, "perOutputToken");
		requireNonNegative(jitter, "jitter");
		requireNonNegative(arrivalJitter, "arrivalJitter");
		requireNonNegative(stepAfter, "stepAfter");
		if (!(stepFactor > 0) || !Double.isFinite(stepFactor) || stepFactor > 1000) {
			throw new IllegalArgumentException("stepFactor must be in (0, 1000]: " + stepFactor);
		}
	}

	/** A latency model without arrival jitter or step. */
	public LatencyModel(Duration base, Duration perOutputToken, Duration jitter) {
		this(base, perOutputToken, jitter, Duration.ZERO, Duration.ZERO, 1);
	}

	/** This model with requests delayed by {@code U[0, arrivalJitter)} on arrival. */
	public LatencyModel withArrivalJitter(Duration arrivalJitter) {
		return new LatencyModel(this.base, this.perOutputToken, this.jitter, arrivalJitter, this.stepAfter,
				this.stepFactor);
	}

	/**
	 * The same latency, multiplied by {@code factor} for calls arriving {@code after} or
	 * more after the provider started.
	 */
	public LatencyModel withStep(Duration after, double factor) {
		return new LatencyModel(this.base, this.perOutputToken, this.jitter, this.arrivalJitter, after, factor);
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
