package dev.llmthrottle.test.dialect;

/**
 * The prompt-token estimate charged at admission and reported as input usage: for each
 * message {@code ceil(codePoints / 4) + 3} (+1 if it has a {@code name}), plus 3 for
 * reply priming. This is the chars/4 heuristic with the cookbook's per-message overhead
 * (protocol.md section 5).
 */
public final class PromptEstimator {

	/** Tokens added per message. */
	public static final int PER_MESSAGE = 3;

	/** Tokens added once for reply priming. */
	public static final int PRIMING = 3;

	private long total = PRIMING;

	/** Adds one message's text (all its text parts concatenated). */
	public PromptEstimator message(String text, boolean named) {
		total += textTokens(text) + PER_MESSAGE + (named ? 1 : 0);
		return this;
	}

	/** The estimate so far. */
	public long tokens() {
		return total;
	}

	/** {@code ceil(codePoints / 4)}. */
	public static long textTokens(String text) {
		long codePoints = text.codePointCount(0, text.length());
		return (codePoints + 3) / 4;
	}

}
