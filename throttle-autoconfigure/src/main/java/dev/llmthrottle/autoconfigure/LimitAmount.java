package dev.llmthrottle.autoconfigure;

import java.util.Locale;

/**
 * The value of a rate key such as {@code requests-per-minute}: a whole number, or
 * {@code auto} to start with a provisional figure and adopt whatever limit the provider
 * reports in its rate-limit headers.
 *
 * @param amount the configured amount; 0 when {@code auto}
 * @param auto whether the amount is learned from the provider
 */
public record LimitAmount(long amount, boolean auto) {

	/** {@code auto}: learned from the provider. */
	public static final LimitAmount AUTO = new LimitAmount(0, true);

	/**
	 * Parses {@code auto} or a whole number (Spring's binder finds this factory by name);
	 * a blank value means unset, so that {@code requests-per-minute=} clears a value set
	 * elsewhere.
	 */
	public static LimitAmount valueOf(String text) {
		String trimmed = text.trim();
		if (trimmed.isEmpty()) {
			return null;
		}
		if (trimmed.toLowerCase(Locale.ROOT).equals("auto")) {
			return AUTO;
		}
		try {
			return new LimitAmount(Long.parseLong(trimmed.replace("_", "")), false);
		}
		catch (NumberFormatException ex) {
			// the parser's own message adds nothing to this one
			throw new IllegalArgumentException("must be a whole number or 'auto' but was '" + text + "'");
		}
	}

	/** A fixed amount (YAML numbers bind through this). */
	public static LimitAmount valueOf(Integer amount) {
		return new LimitAmount(amount, false);
	}

	/** A fixed amount. */
	public static LimitAmount valueOf(Long amount) {
		return new LimitAmount(amount, false);
	}

	@Override
	public String toString() {
		return this.auto ? "auto" : Long.toString(this.amount);
	}

}
