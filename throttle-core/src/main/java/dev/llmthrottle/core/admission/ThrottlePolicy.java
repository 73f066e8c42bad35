package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;

/**
 * Everything that decides admission for one provider: its limits, concurrency, the bounds
 * on waiting, the pacing burst and how many partitions it may hold. Immutable; a changed
 * policy is applied as a whole.
 *
 * @param provider the provider name
 * @param limits the budgets; empty only for an explicitly unlimited provider
 * @param maxConcurrent calls in flight at once per partition, or 0 for no concurrency cap
 * @param maxWait the longest a caller may wait for admission
 * @param maxQueue callers that may wait at once per partition
 * @param burst how far ahead of the steady rate calls may run after an idle spell
 * ({@code 0} = strict pacing); token limits always get at least a tenth of their period
 * @param maxPartitions partitions kept at once; idle ones are evicted to make room
 * @param autoLimits those of {@code limits} whose amount is provisional and follows what
 * the provider reports
 * @param autoConcurrent whether concurrency is sized from the request rate and latency
 * and lowered on overload answers ({@code max-concurrent: auto}); {@code maxConcurrent}
 * is then its upper bound (0: none)
 */
public record ThrottlePolicy(String provider, List<Limit> limits, int maxConcurrent, Duration maxWait, int maxQueue,
		Duration burst, int maxPartitions, List<Limit> autoLimits, boolean autoConcurrent) {

	public static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(1);

	public static final int DEFAULT_MAX_QUEUE = 1000;

	public static final int DEFAULT_MAX_PARTITIONS = 10_000;

	public ThrottlePolicy {
		Objects.requireNonNull(provider, "provider");
		limits = List.copyOf(limits);
		Objects.requireNonNull(maxWait, "maxWait");
		Objects.requireNonNull(burst, "burst");
		if (maxConcurrent < 0) {
			throw new IllegalArgumentException("maxConcurrent must not be negative");
		}
		if (maxWait.isNegative()) {
			throw new IllegalArgumentException("maxWait must not be negative");
		}
		if (maxQueue < 0) {
			throw new IllegalArgumentException("maxQueue must not be negative");
		}
		if (burst.isNegative()) {
			throw new IllegalArgumentException("burst must not be negative");
		}
		if (maxPartitions < 1) {
			throw new IllegalArgumentException("maxPartitions must be at least 1");
		}
		autoLimits = List.copyOf(autoLimits);
		if (!limits.containsAll(autoLimits)) {
			throw new IllegalArgumentException("autoLimits must be among limits");
		}
	}

	/** A policy with a fixed concurrency cap (or none). */
	public ThrottlePolicy(String provider, List<Limit> limits, int maxConcurrent, Duration maxWait, int maxQueue,
			Duration burst, int maxPartitions, List<Limit> autoLimits) {
		this(provider, limits, maxConcurrent, maxWait, maxQueue, burst, maxPartitions, autoLimits, false);
	}

	/** A policy whose limits are all fixed. */
	public ThrottlePolicy(String provider, List<Limit> limits, int maxConcurrent, Duration maxWait, int maxQueue,
			Duration burst, int maxPartitions) {
		this(provider, limits, maxConcurrent, maxWait, maxQueue, burst, maxPartitions, List.of());
	}

	/**
	 * Whether the limit of {@code dimension} over {@code period} is learned from the
	 * provider.
	 */
	public boolean isAuto(Dimension dimension, Duration period) {
		for (Limit limit : this.autoLimits) {
			if (limit.dimension() == dimension && limit.period().equals(period)) {
				return true;
			}
		}
		return false;
	}

	/** A policy with the given limits and defaults for everything else. */
	public static ThrottlePolicy of(String provider, int maxConcurrent, Limit... limits) {
		return new ThrottlePolicy(provider, List.of(limits), maxConcurrent, DEFAULT_MAX_WAIT, DEFAULT_MAX_QUEUE,
				Duration.ZERO, DEFAULT_MAX_PARTITIONS);
	}

	public ThrottlePolicy withMaxConcurrent(int maxConcurrent) {
		return new ThrottlePolicy(this.provider, this.limits, maxConcurrent, this.maxWait, this.maxQueue, this.burst,
				this.maxPartitions, this.autoLimits, this.autoConcurrent);
	}

	/**
	 * The same with {@code max-concurrent: auto} on or off ({@link #maxConcurrent} stays
	 * the bound).
	 */
	public ThrottlePolicy withAutoConcurrent(boolean autoConcurrent) {
		return new ThrottlePolicy(this.provider, this.limits, this.maxConcurrent, this.maxWait, this.maxQueue,
				this.burst, this.maxPartitions, this.autoLimits, autoConcurrent);
	}

	public ThrottlePolicy withMaxWait(Duration maxWait) {
		return new ThrottlePolicy(this.provider, this.limits, this.maxConcurrent, maxWait, this.maxQueue, this.burst,
				this.maxPartitions, this.autoLimits, this.autoConcurrent);
	}

	public ThrottlePolicy withMaxQueue(int maxQueue) {
		return new ThrottlePolicy(this.provider, this.limits, this.maxConcurrent, this.maxWait, maxQueue, this.burst,
				this.maxPartitions, this.autoLimits, this.autoConcurrent);
	}

	public ThrottlePolicy withBurst(Duration burst) {
		return new ThrottlePolicy(this.provider, this.limits, this.maxConcurrent, this.maxWait, this.maxQueue, burst,
				this.maxPartitions, this.autoLimits, this.autoConcurrent);
	}

	public ThrottlePolicy withLimits(List<Limit> limits) {
		return new ThrottlePolicy(this.provider, limits, this.maxConcurrent, this.maxWait, this.maxQueue, this.burst,
				this.maxPartitions, this.autoLimits.stream().filter(limits::contains).toList(), this.autoConcurrent);
	}

	public ThrottlePolicy withMaxPartitions(int maxPartitions) {
		return new ThrottlePolicy(this.provider, this.limits, this.maxConcurrent, this.maxWait, this.maxQueue,
				this.burst, maxPartitions, this.autoLimits, this.autoConcurrent);
	}

	/**
	 * The longest period of any limit, or zero: how long a partition must stay untouched
	 * before it is idle.
	 */
	public Duration longestPeriod() {
		return this.limits.stream().map(Limit::period).max(Duration::compareTo).orElse(Duration.ZERO);
	}

}
