package dev.llmthrottle.test.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A limit of {@code amount} units of a {@link Dimension} per {@code period}, e.g. 50
 * requests per 10 s. How the period is applied depends on the {@link EnforcementModel}.
 *
 * @param dimension what is counted
 * @param amount how many units the period admits (positive)
 * @param period the period (positive)
 */
public record Limit(Dimension dimension, long amount, Duration period) {

	/** Validates the components. */
	public Limit {
		Objects.requireNonNull(dimension, "dimension");
		Objects.requireNonNull(period, "period");
		if (amount <= 0) {
			throw new IllegalArgumentException("Limit amount must be positive: " + amount);
		}
		if (period.isNegative() || period.isZero()) {
			throw new IllegalArgumentException("Limit period must be positive: " + period);
		}
		period.toNanos(); // fails fast when the period does not fit in a long of
							// nanoseconds
	}

	/**
	 * Parses {@code DIMENSION:AMOUNT/PERIOD}, e.g. {@code requests:50/10s},
	 * {@code tokens:20000/1m}, {@code input-tokens:400000/m}. The period is a Go
	 * duration; a bare unit ({@code s}, {@code m}, {@code h}) means one of it, and
	 * {@code d} means 24 h.
	 * @throws IllegalArgumentException when the text is malformed
	 */
	public static Limit parse(String spec) {
		String s = spec.trim();
		int colon = s.indexOf(':');
		int slash = s.indexOf('/');
		if (colon <= 0 || slash <= colon + 1 || slash == s.length() - 1) {
			throw new IllegalArgumentException(
					"Invalid limit '" + spec + "' (expected DIMENSION:AMOUNT/PERIOD, e.g. requests:50/10s)");
		}
		Dimension dimension = Dimension.fromKey(s.substring(0, colon));
		long amount;
		try {
			amount = Long.parseLong(s.substring(colon + 1, slash).replace("_", "").trim());
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException("Invalid amount in limit '" + spec + "'", e);
		}
		return new Limit(dimension, amount, parsePeriod(s.substring(slash + 1).trim()));
	}

	private static Duration parsePeriod(String text) {
		if (text.endsWith("d")) {
			String days = text.substring(0, text.length() - 1);
			return Duration.ofDays(days.isEmpty() ? 1 : Long.parseLong(days));
		}
		if (text.equals("s") || text.equals("m") || text.equals("h")) {
			return GoDuration.parse("1" + text);
		}
		if (text.equals("min")) {
			return Duration.ofMinutes(1);
		}
		return GoDuration.parse(text);
	}

	/** The period in nanoseconds. */
	public long periodNanos() {
		return period.toNanos();
	}

	/** The spec form, e.g. {@code requests:50/10s}. */
	@Override
	public String toString() {
		return dimension.key() + ":" + amount + "/" + GoDuration.format(period);
	}
}
