package dev.llmthrottle.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * How a provider speaks: which rate-limit headers it sends, in which formats, and how its
 * bodies report errors and usage. Several providers share a dialect's parsing where their
 * shapes agree.
 */
public enum Dialect {

	/**
	 * OpenAI: {@code x-ratelimit-*} headers with Go-duration resets; per-minute windows.
	 */
	OPENAI("openai"),

	/** Azure OpenAI: OpenAI header names, but resets are bare numbers of seconds. */
	AZURE("azure"),

	/** Anthropic: {@code anthropic-ratelimit-*} headers with RFC 3339 reset instants. */
	ANTHROPIC("anthropic"),

	/** Gemini and Vertex AI: no rate-limit headers; hints live in the error body. */
	GEMINI("gemini"),

	/** Groq: OpenAI header names, but {@code -requests} counts per day. */
	GROQ("groq"),

	/**
	 * OpenRouter: un-suffixed {@code X-RateLimit-*} headers, reset as epoch milliseconds.
	 */
	OPENROUTER("openrouter"),

	/**
	 * Together: un-suffixed {@code x-ratelimit-*} and {@code x-tokenlimit-*}; reset in
	 * seconds.
	 */
	TOGETHER("together"),

	/**
	 * Anything else: every known header shape is tried, only unambiguous formats are
	 * accepted.
	 */
	GENERIC("generic");

	private final String id;

	Dialect(String id) {
		this.id = id;
	}

	/** The lower-case name used in configuration, e.g. {@code "openai"}. */
	public String id() {
		return this.id;
	}

	/** Whether request bodies are tokenized with an OpenAI encoding (jtokkit). */
	public boolean usesOpenAiTokenizer() {
		return this == OPENAI || this == AZURE;
	}

	/**
	 * Looks a dialect up by its configuration name, case-insensitively and ignoring
	 * surrounding blanks. A few aliases are accepted ({@code azure-openai},
	 * {@code claude}, {@code vertex}, {@code google}).
	 * @param name the name, may be {@code null}
	 * @return the dialect, or empty when the name is unknown
	 */
	public static Optional<Dialect> fromId(String name) {
		if (name == null) {
			return Optional.empty();
		}
		String key = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
		for (Dialect dialect : values()) {
			if (dialect.id.equals(key)) {
				return Optional.of(dialect);
			}
		}
		switch (key) {
			case "azure-openai":
				return Optional.of(AZURE);
			case "claude":
				return Optional.of(ANTHROPIC);
			case "vertex":
			case "vertex-ai":
			case "google":
				return Optional.of(GEMINI);
			default:
				return Optional.empty();
		}
	}

}
