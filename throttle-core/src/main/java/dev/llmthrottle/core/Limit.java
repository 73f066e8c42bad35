package dev.llmthrottle.core;

import java.time.Duration;
import java.util.Objects;

/**
 * A budget: at most {@code amount} of a {@link Dimension} in any {@code period}, e.g. 500
 * requests per minute or 2,000,000 tokens per day. Periods are arbitrary durations so
 * that tests can use seconds.
 *
 * @param dimension what is counted
 * @param amount how much is allowed per period, at least 1
 * @param period the window length, positive and at most 366 days
 */
public record Limit(Dimension dimension, long amount, Duration period) {

	/** Longest period accepted; keeps every nanosecond computation far from overflow. */
	public static final Duration MAX_PERIOD = Duration.ofDays(366);

	public Limit {
		Objects.requireNonNull(dimension, "dimension");
		Objects.requireNonNull(period, "period");
		if (amount < 1) {
			throw new IllegalArgumentException("amount must be at least 1 but was " + amount);
		}
		if (period.isNegative() || period.isZero()) {
			throw new IllegalArgumentException("period must be positive but was " + period);
		}
		if (period.compareTo(MAX_PERIOD) > 0) {
			throw new IllegalArgumentException("period must be at most 366 days but was " + period);
		}
	}

	public static Limit of(Dimension dimension, long amount, Duration period) {
		return new Limit(dimension, amount, period);
	}

	public static Limit perMinute(Dimension dimension, long amount) {
		return new Limit(dimension, amount, Duration.ofMinutes(1));
	}

	/** The period in nanoseconds. */
	public long periodNanos() {
		return this.period.toNanos();
	}

	@Override
	public String toString() {
		return this.amount + " " + this.dimension.id() + " per " + DurationFormat.format(this.period);
	}

}
