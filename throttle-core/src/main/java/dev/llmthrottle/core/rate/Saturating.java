package dev.llmthrottle.core.rate;

import java.time.Duration;

/**
 * Long arithmetic that clamps at {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE}
 * instead of wrapping or throwing: every value that advances the rate state goes through
 * here, so no figure a provider reports (usage, remaining, reset) can overflow it (rule
 * R2, bounded horizon).
 */
final class Saturating {

	private Saturating() {
	}

	static long add(long a, long b) {
		long sum = a + b;
		// on overflow both operands have the sign the sum lacks: answer MAX_VALUE, or
		// MIN_VALUE (MAX_VALUE + 1)
		return (((a ^ sum) & (b ^ sum)) < 0) ? Long.MAX_VALUE + (a >>> 63) : sum;
	}

	static long subtract(long a, long b) {
		long difference = a - b;
		return (((a ^ b) & (a ^ difference)) < 0) ? Long.MAX_VALUE + (a >>> 63) : difference;
	}

	static long multiply(long a, long b) {
		long high = Math.multiplyHigh(a, b);
		long low = a * b;
		if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
			return low;
		}
		return ((a ^ b) < 0) ? Long.MIN_VALUE : Long.MAX_VALUE;
	}

	static long clamp(long value, long min, long max) {
		return Math.max(min, Math.min(max, value));
	}

	/** {@code ceil(value)} as a long, saturating; NaN counts as 0. */
	static long ceil(double value) {
		return (long) Math.ceil(value);
	}

	/** {@code floor(value)} as a long, saturating; NaN counts as 0. */
	static long floor(double value) {
		return (long) Math.floor(value);
	}

	/**
	 * The duration in nanoseconds, saturating instead of throwing for durations beyond
	 * ~292 years.
	 */
	static long toNanos(Duration duration) {
		long seconds = duration.getSeconds();
		if (seconds >= Long.MAX_VALUE / 1_000_000_000L) {
			return Long.MAX_VALUE;
		}
		if (seconds <= Long.MIN_VALUE / 1_000_000_000L) {
			return Long.MIN_VALUE;
		}
		return seconds * 1_000_000_000L + duration.getNano();
	}

}
