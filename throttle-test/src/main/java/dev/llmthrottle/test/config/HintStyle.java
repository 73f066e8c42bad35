package dev.llmthrottle.test.config;

import java.util.Locale;

/**
 * How a rate-limit 429 states its wait hint in {@code retry-after} (and
 * {@code retry-after-ms}). Only {@link #SECONDS} is truthful; the others exercise a
 * client's hint parsing.
 */
public enum HintStyle {

	/**
	 * The dialect's normal form: whole seconds, rounded up (plus milliseconds where the
	 * dialect sends them).
	 */
	SECONDS("seconds"),
	/**
	 * {@code retry-after} as an RFC 1123 HTTP-date at the instant the request would fit
	 * (rounded up to a second).
	 */
	HTTP_DATE("http-date"),
	/** {@code retry-after} as an HTTP-date one minute in the past. */
	PAST("past"),
	/**
	 * A huge hint: {@code retry-after: 86400} (and {@code retry-after-ms: 86400000} where
	 * sent).
	 */
	HUGE("huge"),
	/** No hint headers at all. */
	NONE("none");

	private final String key;

	HintStyle(String key) {
		this.key = key;
	}

	/** The configuration key, e.g. {@code http-date}. */
	public String key() {
		return key;
	}

	/**
	 * Parses a configuration key (case-insensitive).
	 * @throws IllegalArgumentException for an unknown key
	 */
	public static HintStyle fromKey(String key) {
		String normalized = key.trim().toLowerCase(Locale.ROOT).replace('_', '-');
		for (HintStyle style : values()) {
			if (style.key.equals(normalized)) {
				return style;
			}
		}
		throw new IllegalArgumentException(
				"Unknown hint style '" + key + "' (expected seconds, http-date, past, huge or none)");
	}

	@Override
	public String toString() {
		return key;
	}

}
