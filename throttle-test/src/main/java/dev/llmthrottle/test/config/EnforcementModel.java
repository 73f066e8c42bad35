package dev.llmthrottle.test.config;

import java.util.Locale;

/**
 * How the simulated provider counts a limit of {@code amount} per {@code period}. Real
 * providers differ here, and a client that is safe against one model can be refused by
 * another.
 *
 * <ul>
 * <li>{@link #TOKEN_BUCKET}: a bucket of capacity {@code amount}, refilled continuously
 * at {@code amount / period}; a request fits when the bucket holds its cost
 * (Anthropic).</li>
 * <li>{@link #SLIDING_WINDOW}: the exact sum over the trailing period; an entry admitted
 * at {@code t} counts while {@code now - t < period}.</li>
 * <li>{@link #FIXED_WINDOW}: counters reset on the boundaries
 * {@code [k*period, (k+1)*period)}, measured from the server's epoch plus a seeded random
 * offset in {@code [0, period)}.</li>
 * <li>{@link #QUANTIZED}: request limits are enforced as fixed windows of one quantum
 * (default 1 s), each admitting {@code max(1, floor(amount * quantum / period))} requests
 * ("60,000 RPM enforced as 1,000 requests/s", OpenAI; Azure checks RPM over 1 s windows).
 * Token limits are fixed per-period windows (Azure TPM). Headers still report the
 * per-period figures.</li>
 * </ul>
 */
public enum EnforcementModel {

	/** Continuous refill, capacity = limit. */
	TOKEN_BUCKET("token-bucket"),
	/** Exact sum over the trailing period. */
	SLIDING_WINDOW("sliding-window"),
	/** Counters that reset on period boundaries. */
	FIXED_WINDOW("fixed-window"),
	/** Request limits per quantum (default 1 s), token limits per fixed period window. */
	QUANTIZED("quantized");

	private final String key;

	EnforcementModel(String key) {
		this.key = key;
	}

	/** The configuration key, e.g. {@code sliding-window}. */
	public String key() {
		return key;
	}

	/**
	 * Parses a configuration key (case-insensitive, {@code _} accepted for {@code -}).
	 * @throws IllegalArgumentException for an unknown key
	 */
	public static EnforcementModel fromKey(String key) {
		String normalized = key.trim().toLowerCase(Locale.ROOT).replace('_', '-');
		for (EnforcementModel model : values()) {
			if (model.key.equals(normalized)) {
				return model;
			}
		}
		throw new IllegalArgumentException("Unknown enforcement model '" + key
				+ "' (expected token-bucket, sliding-window, fixed-window or quantized)");
	}

	@Override
	public String toString() {
		return key;
	}

}
