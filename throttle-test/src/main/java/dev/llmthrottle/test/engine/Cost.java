package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.Dimension;

/**
 * What a request spends (or is charged) per dimension. Values are non-negative.
 *
 * @param requests request units (1 per request at admission)
 * @param tokens input and output tokens combined
 * @param inputTokens input tokens
 * @param outputTokens output tokens
 */
public record Cost(long requests, long tokens, long inputTokens, long outputTokens) {

	/** Nothing. */
	public static final Cost ZERO = new Cost(0, 0, 0, 0);

	/** Rejects negative values. */
	public Cost {
		if (requests < 0 || tokens < 0 || inputTokens < 0 || outputTokens < 0) {
			throw new IllegalArgumentException(
					"Cost must not be negative: " + requests + "/" + tokens + "/" + inputTokens + "/" + outputTokens);
		}
	}

	/**
	 * One request with the given input and output tokens ({@code tokens} = their sum).
	 */
	public static Cost request(long inputTokens, long outputTokens) {
		return new Cost(1, inputTokens + outputTokens, inputTokens, outputTokens);
	}

	/** Output tokens only (counted in {@code output-tokens} and {@code tokens}). */
	public static Cost output(long outputTokens) {
		return new Cost(0, outputTokens, 0, outputTokens);
	}

	/** The amount for one dimension. */
	public long get(Dimension dimension) {
		switch (dimension) {
			case REQUESTS:
				return requests;
			case TOKENS:
				return tokens;
			case INPUT_TOKENS:
				return inputTokens;
			case OUTPUT_TOKENS:
				return outputTokens;
			default:
				throw new IllegalStateException("Unknown dimension " + dimension);
		}
	}
}
