package dev.llmthrottle.protocol;

/**
 * What a rate-limit header counts. Constant names and {@link #id() ids} match the
 * engine's {@code dev.llmthrottle.core.Dimension}, so the glue converts with
 * {@code Dimension.of(id())}; this package keeps its own enum to stay free of engine
 * dependencies.
 */
public enum RateDimension {

	/** Requests. */
	REQUESTS("requests"),

	/**
	 * Tokens, input plus output (for Anthropic: the most restrictive token limit in
	 * force).
	 */
	TOKENS("tokens"),

	/** Input (prompt) tokens. */
	INPUT_TOKENS("input-tokens"),

	/** Output (completion) tokens. */
	OUTPUT_TOKENS("output-tokens");

	private final String id;

	RateDimension(String id) {
		this.id = id;
	}

	/**
	 * The name used in configuration and in header suffixes, e.g. {@code input-tokens}.
	 */
	public String id() {
		return this.id;
	}

}
