package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Limit;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the {@link Enforcer} enforces.
 *
 * @param model how limits are counted
 * @param limits the limits, in reporting order
 * @param quantum the quantized model's request window (at most each limit's period is
 * used)
 * @param maxConcurrent concurrency cap, 0 = none
 * @param neighbourShare share of every limit consumed by the noisy neighbour, in [0, 1)
 * @param seed seed of the fixed-window offsets
 */
public record EnforcerSettings(EnforcementModel model, List<Limit> limits, Duration quantum, int maxConcurrent,
		double neighbourShare, long seed) {

	/** Validates and copies. */
	public EnforcerSettings {
		Objects.requireNonNull(model, "model");
		limits = List.copyOf(limits);
		Objects.requireNonNull(quantum, "quantum");
		if (quantum.isNegative() || quantum.isZero()) {
			throw new IllegalArgumentException("quantum must be positive: " + quantum);
		}
		if (maxConcurrent < 0) {
			throw new IllegalArgumentException("maxConcurrent must not be negative: " + maxConcurrent);
		}
		if (!(neighbourShare >= 0 && neighbourShare < 1)) {
			throw new IllegalArgumentException("neighbourShare must be in [0, 1): " + neighbourShare);
		}
	}

	/**
	 * The given model and limits; 1 s quantum, no concurrency cap, no neighbour, seed 0.
	 */
	public static EnforcerSettings of(EnforcementModel model, Limit... limits) {
		return new EnforcerSettings(model, List.of(limits), Duration.ofSeconds(1), 0, 0, 0);
	}

	/** The same with a concurrency cap. */
	public EnforcerSettings withMaxConcurrent(int max) {
		return new EnforcerSettings(model, limits, quantum, max, neighbourShare, seed);
	}

	/** The same with a noisy neighbour. */
	public EnforcerSettings withNeighbourShare(double share) {
		return new EnforcerSettings(model, limits, quantum, maxConcurrent, share, seed);
	}

	/** The same with another seed. */
	public EnforcerSettings withSeed(long newSeed) {
		return new EnforcerSettings(model, limits, quantum, maxConcurrent, neighbourShare, newSeed);
	}

	/** The same with another quantum. */
	public EnforcerSettings withQuantum(Duration newQuantum) {
		return new EnforcerSettings(model, limits, newQuantum, maxConcurrent, neighbourShare, seed);
	}
}
