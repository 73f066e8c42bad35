package dev.llmthrottle.core;

import java.util.Locale;

/**
 * What a limit counts. {@link #TOKENS} is input plus output; the others count one thing
 * each.
 */
public enum Dimension {

	REQUESTS("requests"), TOKENS("tokens"), INPUT_TOKENS("input-tokens"), OUTPUT_TOKENS("output-tokens");

	private final String id;

	Dimension(String id) {
		this.id = id;
	}

	/**
	 * The name used in configuration, metric tags and headers, e.g. {@code input-tokens}.
	 */
	public String id() {
		return this.id;
	}

	/**
	 * Parses the configuration form ({@code input-tokens}, {@code INPUT_TOKENS},
	 * {@code input_tokens}).
	 * @throws IllegalArgumentException naming the accepted values
	 */
	public static Dimension of(String text) {
		String normalized = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
		for (Dimension dimension : values()) {
			if (dimension.id.equals(normalized)) {
				return dimension;
			}
		}
		throw new IllegalArgumentException(
				"unknown dimension '" + text + "' (expected requests, tokens, input-tokens or output-tokens)");
	}

	@Override
	public String toString() {
		return this.id;
	}

}
