package dev.llmthrottle.core;

/**
 * What one call spends: a number of requests (normally 1), input tokens and output
 * tokens. The {@link Dimension#TOKENS} dimension is the sum of input and output.
 *
 * @param requests requests, at least 0
 * @param inputTokens input (prompt) tokens, at least 0
 * @param outputTokens output (completion) tokens, at least 0
 */
public record Cost(long requests, long inputTokens, long outputTokens) {

	/** Nothing at all: what a call that was never sent spends. */
	public static final Cost NONE = new Cost(0, 0, 0);

	public Cost {
		if (requests < 0 || inputTokens < 0 || outputTokens < 0) {
			throw new IllegalArgumentException("cost must not be negative: " + requests + " requests, " + inputTokens
					+ " input tokens, " + outputTokens + " output tokens");
		}
	}

	/** One request with the given token counts. */
	public static Cost of(long inputTokens, long outputTokens) {
		return new Cost(1, inputTokens, outputTokens);
	}

	/** One request and no tokens. */
	public static Cost oneRequest() {
		return new Cost(1, 0, 0);
	}

	/** The amount this cost spends of a dimension. */
	public long amount(Dimension dimension) {
		return switch (dimension) {
			case REQUESTS -> this.requests;
			case TOKENS -> saturatedAdd(this.inputTokens, this.outputTokens);
			case INPUT_TOKENS -> this.inputTokens;
			case OUTPUT_TOKENS -> this.outputTokens;
		};
	}

	/** This cost with the output tokens replaced. */
	public Cost withOutputTokens(long outputTokens) {
		return new Cost(this.requests, this.inputTokens, outputTokens);
	}

	private static long saturatedAdd(long a, long b) {
		long sum = a + b;
		return (sum < 0) ? Long.MAX_VALUE : sum;
	}

}
