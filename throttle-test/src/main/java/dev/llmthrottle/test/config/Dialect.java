package dev.llmthrottle.test.config;

import java.util.Locale;

/**
 * The wire dialect the simulated provider speaks: endpoint, token accounting, headers and
 * error bodies.
 */
public enum Dialect {

	/**
	 * OpenAI chat completions at {@code POST /v1/chat/completions}: {@code x-ratelimit-*}
	 * headers with Go durations, {@code retry-after} and sometimes
	 * {@code retry-after-ms}.
	 */
	OPENAI("openai", "/v1/chat/completions"),
	/**
	 * Azure OpenAI flavour of the OpenAI dialect: same endpoint (also
	 * {@code /openai/deployments/{name}/chat/completions}), reset headers as bare
	 * seconds, 429s with {@code retry-after-ms} and "Please retry after N seconds."
	 */
	AZURE("azure", "/v1/chat/completions"),
	/**
	 * Anthropic messages at {@code POST /v1/messages}: {@code anthropic-ratelimit-*}
	 * headers, RFC 3339 resets.
	 */
	ANTHROPIC("anthropic", "/v1/messages");

	private final String key;

	private final String path;

	Dialect(String key, String path) {
		this.key = key;
		this.path = path;
	}

	/** The configuration key, e.g. {@code openai}. */
	public String key() {
		return key;
	}

	/** The endpoint path served for this dialect. */
	public String path() {
		return path;
	}

	/**
	 * Parses a configuration key (case-insensitive).
	 * @throws IllegalArgumentException for an unknown key
	 */
	public static Dialect fromKey(String key) {
		String normalized = key.trim().toLowerCase(Locale.ROOT);
		for (Dialect dialect : values()) {
			if (dialect.key.equals(normalized)) {
				return dialect;
			}
		}
		throw new IllegalArgumentException("Unknown dialect '" + key + "' (expected openai, azure or anthropic)");
	}

	@Override
	public String toString() {
		return key;
	}

}
