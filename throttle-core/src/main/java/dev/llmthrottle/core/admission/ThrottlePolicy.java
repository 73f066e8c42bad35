package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Enforcement;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.LimitShape;

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
 * @param minShare the least fraction of a partition's admissions that each priority lane
 * below the top one gets while it has callers waiting, from 0 (strict priority: a lower
 * lane waits while any higher one has callers) to {@value #MAX_MIN_SHARE}
 * @param shapes how each limit is spent (its enforcement and own burst), by dimension and
 * period; a limit without one is paced with {@code burst}
 */
public record ThrottlePolicy(String provider, List<Limit> limits, int maxConcurrent, Duration maxWait, int maxQueue,
		Duration burst, int maxPartitions, List<Limit> autoLimits, double minShare, List<LimitShape> shapes) {

	private static final long TOKEN_BURST_DIVISOR = 10;

	public static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(1);

	public static final int DEFAULT_MAX_QUEUE = 1000;

	public static final int DEFAULT_MAX_PARTITIONS = 10_000;

	/**
	 * The default minimum share of each lower priority lane: one admission in ten while
	 * it waits.
	 */
	public static final double DEFAULT_MIN_SHARE = 0.1;

	/**
	 * The largest minimum share: the two lanes below the top one together may claim every
	 * admission, never more.
	 */
	public static final double MAX_MIN_SHARE = 0.5;

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
		if (!(minShare >= 0 && minShare <= MAX_MIN_SHARE)) {
			throw new IllegalArgumentException("minShare must be between 0 and " + MAX_MIN_SHARE);
		}
		shapes = List.copyOf(shapes);
	}

	/**
	 * A policy with the default minimum share, all of whose limits are paced with
	 * {@code burst}.
	 */
	public ThrottlePolicy(String provider, List<Limit> limits, int maxConcurrent, Duration maxWait, int maxQueue,
			Duration burst, int maxPartitions, List<Limit> autoLimits) {
		this(provider, limits, maxConcurrent, maxWait, maxQueue, burst, maxPartitions, autoLimits, DEFAULT_MIN_SHARE,
				List.of());
	}

	/** A policy all of whose limits are paced with {@code burst}. */
	public ThrottlePolicy(String provider, List<Limit> limits, int maxConcurrent, Duration maxWait, int maxQueue,
			Duration burst, int maxPartitions, List<Limit> autoLimits, double minShare) {
		this(provider, limits, maxConcurrent, maxWait, maxQueue, burst, maxPartitions, autoLimits, minShare, List.of());
	}

	/** A policy with the default minimum share of the lower priority lanes. */
	public ThrottlePolicy(String provider, List<Limit> limits, int maxConcurrent, Duration maxWait, int maxQueue,
			Duration burst, int maxPartitions, List<Limit> autoLimits, List<LimitShape> shapes) {
		this(provider, limits, maxConcurrent, maxWait, maxQueue, burst, maxPartitions, autoLimits, DEFAULT_MIN_SHARE,
				shapes);
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

	/**
	 * Whether a limit of {@code amount} the provider reports for {@code dimension}, read
	 * as {@code window}, is the figure of another configured limit of that dimension
	 * (over another period). Rate-limit headers do not say which window they describe
	 * (OpenAI's are read as per-minute): with 240 per minute and 40 per 10 s configured,
	 * a report of 40 is the 10-second limit binding, and adopting it as 40 per minute
	 * would pace the whole batch at a sixth of the rate. Both backends ignore such a
	 * report.
	 */
	public boolean isFigureOfAnotherLimit(Dimension dimension, long amount, Duration window) {
		for (Limit limit : this.limits) {
			if (limit.dimension() == dimension && !limit.period().equals(window) && limit.amount() == amount) {
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
				this.maxPartitions, this.autoLimits, this.minShare, this.shapes);
	}

	public ThrottlePolicy withMaxWait(Duration maxWait) {
		return new ThrottlePolicy(this.provider, this.limits, this.maxConcurrent, maxWait, this.maxQueue, this.burst,
				this.maxPartitions, this.autoLimits, this.minShare, this.shapes);
	}

	public ThrottlePolicy withMaxQueue(int maxQueue) {
		return new ThrottlePolicy(this.provider, this.limits, this.maxConcurrent, this.maxWait, maxQueue, this.burst,
				this.maxPartitions, this.autoLimits, this.minShare, this.shapes);
	}

	public ThrottlePolicy withBurst(Duration burst) {
		return new ThrottlePolicy(this.provider, this.limits, this.maxConcurrent, this.maxWait, this.maxQueue, burst,
				this.maxPartitions, this.autoLimits, this.minShare, this.shapes);
	}

	public ThrottlePolicy withLimits(List<Limit> limits) {
		return new ThrottlePolicy(this.provider, limits, this.maxConcurrent, this.maxWait, this.maxQueue, this.burst,
				this.maxPartitions, this.autoLimits.stream().filter(limits::contains).toList(), this.minShare,
				this.shapes);
	}

	public ThrottlePolicy withMaxPartitions(int maxPartitions) {
		return new ThrottlePolicy(this.provider, this.limits, this.maxConcurrent, this.maxWait, this.maxQueue,
				this.burst, maxPartitions, this.autoLimits, this.minShare, this.shapes);
	}

	public ThrottlePolicy withMinShare(double minShare) {
		return new ThrottlePolicy(this.provider, this.limits, this.maxConcurrent, this.maxWait, this.maxQueue,
				this.burst, this.maxPartitions, this.autoLimits, minShare, this.shapes);
	}

	public ThrottlePolicy withShapes(List<LimitShape> shapes) {
		return new ThrottlePolicy(this.provider, this.limits, this.maxConcurrent, this.maxWait, this.maxQueue,
				this.burst, this.maxPartitions, this.autoLimits, this.minShare, shapes);
	}

	/** How the provider counts {@code limit}: its shape's enforcement, else paced. */
	public Enforcement enforcementFor(Limit limit) {
		LimitShape shape = shapeOf(limit);
		return (shape != null) ? shape.enforcement() : Enforcement.PACED;
	}

	/**
	 * How far admissions of {@code limit} may run ahead of its steady rate: in the paced
	 * mode its own burst or else the policy's, and for token limits at least a tenth of
	 * their period (costs vary call to call, and strict token pacing would make a large
	 * call after small ones wait although the window has room); in the other modes what
	 * {@link Enforcement#burst} allows. The memory and Redis backends both take it from
	 * here, so they decide alike. The trailing window holds exactly in every case.
	 */
	public Duration burstFor(Limit limit) {
		LimitShape shape = shapeOf(limit);
		Enforcement enforcement = (shape != null) ? shape.enforcement() : Enforcement.PACED;
		Duration paced = (shape != null && shape.burst() != null) ? shape.burst() : this.burst;
		if (enforcement == Enforcement.PACED && limit.dimension() != Dimension.REQUESTS) {
			Duration tenth = limit.period().dividedBy(TOKEN_BURST_DIVISOR);
			paced = (tenth.compareTo(paced) > 0) ? tenth : paced;
		}
		return enforcement.burst(limit, paced);
	}

	private @Nullable LimitShape shapeOf(Limit limit) {
		for (LimitShape shape : this.shapes) {
			if (shape.shapes(limit)) {
				return shape;
			}
		}
		return null;
	}

	/**
	 * The longest period of any limit, or zero: how long a partition must stay untouched
	 * before it is idle.
	 */
	public Duration longestPeriod() {
		return this.limits.stream().map(Limit::period).max(Duration::compareTo).orElse(Duration.ZERO);
	}

}
