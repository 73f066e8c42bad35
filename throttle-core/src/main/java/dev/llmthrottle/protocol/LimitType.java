package dev.llmthrottle.protocol;

import java.util.Optional;

/** Which limit a 429 concerns, when the response says so. */
public enum LimitType {

	/** Requests per period. */
	REQUESTS(RateDimension.REQUESTS),

	/** Tokens (input plus output, or an unspecified token limit). */
	TOKENS(RateDimension.TOKENS),

	/** Input tokens (Anthropic ITPM, Gemini TPM). */
	INPUT_TOKENS(RateDimension.INPUT_TOKENS),

	/** Output tokens (Anthropic OTPM). */
	OUTPUT_TOKENS(RateDimension.OUTPUT_TOKENS),

	/** Not stated. */
	UNKNOWN(null);

	private final RateDimension dimension;

	LimitType(RateDimension dimension) {
		this.dimension = dimension;
	}

	/** The matching rate-limit dimension, empty for {@link #UNKNOWN}. */
	public Optional<RateDimension> dimension() {
		return Optional.ofNullable(this.dimension);
	}

	/** The limit type of a dimension. */
	public static LimitType of(RateDimension dimension) {
		for (LimitType type : values()) {
			if (type.dimension == dimension) {
				return type;
			}
		}
		return UNKNOWN;
	}

}
