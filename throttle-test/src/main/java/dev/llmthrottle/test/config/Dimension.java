package dev.llmthrottle.test.config;

import java.util.Locale;

/**
 * What a limit counts. Every request costs one {@link #REQUESTS} unit; token dimensions
 * are charged according to the dialect's accounting rules (see the module README).
 */
public enum Dimension {

	/** Number of requests. */
	REQUESTS("requests"),
	/** Input and output tokens combined. */
	TOKENS("tokens"),
	/** Prompt (input) tokens only. */
	INPUT_TOKENS("input-tokens"),
	/** Completion (output) tokens only. */
	OUTPUT_TOKENS("output-tokens");

	private final String key;

	Dimension(String key) {
		this.key = key;
	}

	/** The configuration key, e.g. {@code input-tokens}. */
	public String key() {
		return key;
	}

	/** Whether this dimension counts tokens rather than requests. */
	public boolean isTokens() {
		return this != REQUESTS;
	}

	/**
	 * Parses a configuration key; accepts {@code -} or {@code _} as separator and any
	 * case.
	 * @throws IllegalArgumentException for an unknown key
	 */
	public static Dimension fromKey(String key) {
		String normalized = key.trim().toLowerCase(Locale.ROOT).replace('_', '-');
		for (Dimension dimension : values()) {
			if (dimension.key.equals(normalized)) {
				return dimension;
			}
		}
		throw new IllegalArgumentException(
				"Unknown dimension '" + key + "' (expected requests, tokens, input-tokens or output-tokens)");
	}

	@Override
	public String toString() {
		return key;
	}

}
