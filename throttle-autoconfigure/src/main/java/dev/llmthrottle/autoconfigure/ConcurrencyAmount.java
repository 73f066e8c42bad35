package dev.llmthrottle.autoconfigure;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value of {@code max-concurrent}: a whole number (a fixed cap), {@code auto} (sized
 * from the request rate and the observed latency, lowered on overload answers) or
 * {@code auto(N)} (the same, never above {@code N}).
 *
 * @param amount the fixed cap, or the bound of {@code auto(N)}; 0 for plain {@code auto}
 * @param auto whether the limit adapts
 */
public record ConcurrencyAmount(long amount, boolean auto) {

	private static final Pattern AUTO_BOUNDED = Pattern.compile("auto\\s*\\(\\s*([-+]?[0-9_]+)\\s*\\)");

	/** {@code auto} with no bound. */
	public static final ConcurrencyAmount AUTO = new ConcurrencyAmount(0, true);

	/**
	 * Parses a whole number, {@code auto} or {@code auto(N)} (Spring's binder finds this
	 * factory by name); a blank value means unset.
	 */
	public static ConcurrencyAmount valueOf(String text) {
		String trimmed = text.trim().toLowerCase(Locale.ROOT);
		if (trimmed.isEmpty()) {
			return null;
		}
		if (trimmed.equals("auto")) {
			return AUTO;
		}
		try {
			Matcher bounded = AUTO_BOUNDED.matcher(trimmed);
			if (bounded.matches()) {
				long bound = Long.parseLong(bounded.group(1).replace("_", ""));
				if (bound < 1) {
					// 0 would read as plain auto
					throw new IllegalArgumentException(
							"the bound of auto(N) must be at least 1 but was '" + text + "'");
				}
				return new ConcurrencyAmount(bound, true);
			}
			return new ConcurrencyAmount(Long.parseLong(trimmed.replace("_", "")), false);
		}
		catch (NumberFormatException ex) {
			// the parser's own message adds nothing to this one (nor for a bound past
			// Long)
			throw new IllegalArgumentException(
					"must be a whole number, 'auto' or 'auto(N)' with a whole number N but was '" + text + "'");
		}
	}

	/** A fixed cap (YAML numbers bind through this). */
	public static ConcurrencyAmount valueOf(Integer amount) {
		return new ConcurrencyAmount(amount, false);
	}

	/** A fixed cap. */
	public static ConcurrencyAmount valueOf(Long amount) {
		return new ConcurrencyAmount(amount, false);
	}

	/** {@code auto(bound)}, or plain {@code auto} when {@code bound} is 0. */
	public static ConcurrencyAmount auto(int bound) {
		return new ConcurrencyAmount(bound, true);
	}

	@Override
	public String toString() {
		if (this.auto) {
			return (this.amount != 0) ? "auto(" + this.amount + ")" : "auto";
		}
		return Long.toString(this.amount);
	}

}
