package dev.llmthrottle.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Short human-readable durations for messages ({@code 1m}, {@code 10s}, {@code 250ms},
 * {@code 1d}).
 *
 * <p>
 * Total over every {@link Duration}: a provider's absurd hint (a {@code retry-after} of
 * 99999999999 seconds, a date in the year 9999) ends up in exception messages, so
 * formatting never converts to a {@code long} of nanoseconds that could overflow;
 * negative durations are shown with a minus sign.
 */
public final class DurationFormat {

	private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);

	private static final long[] UNIT_NANOS = { 86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L,
			1_000_000L };

	private static final String[] UNIT_NAMES = { "d", "h", "m", "s", "ms" };

	private DurationFormat() {
	}

	/**
	 * Formats a duration with the largest unit that represents it exactly, falling back
	 * to milliseconds. Never throws.
	 * @param duration the duration; {@code null} gives {@code "null"}
	 * @return the text
	 */
	public static String format(Duration duration) {
		if (duration == null) {
			return "null";
		}
		if (duration.isZero()) {
			return "0s";
		}
		BigInteger nanos = BigInteger.valueOf(duration.getSeconds())
			.multiply(NANOS_PER_SECOND)
			.add(BigInteger.valueOf(duration.getNano()));
		String sign = (nanos.signum() < 0) ? "-" : "";
		BigInteger magnitude = nanos.abs();
		for (int i = 0; i < UNIT_NANOS.length; i++) {
			BigInteger[] quotient = magnitude.divideAndRemainder(BigInteger.valueOf(UNIT_NANOS[i]));
			if (quotient[1].signum() == 0) {
				return sign + quotient[0] + UNIT_NAMES[i];
			}
		}
		return sign + new BigDecimal(magnitude).movePointLeft(6).setScale(3, RoundingMode.HALF_UP).toPlainString()
				+ "ms";
	}

	/** Formats nanoseconds, see {@link #format(Duration)}. */
	public static String formatNanos(long nanos) {
		return format(Duration.ofNanos(nanos));
	}

}
