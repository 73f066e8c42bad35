package dev.llmthrottle.test.dialect;

/**
 * Deterministic filler text: token {@code i} is a space and a three-letter word, so the
 * text has exactly four characters per token and the chars/4 estimate of a response
 * equals its reported usage.
 */
public final class CompletionText {

	private static final String[] WORDS = { "the", "llm", "api", "can", "and", "for", "you", "see", "run", "out", "new",
			"use", "set", "get", "now", "fit", "sum", "all", "per", "one" };

	private CompletionText() {
	}

	/** The text of tokens {@code [start, start + count)}. */
	public static String tokens(long start, long count) {
		StringBuilder text = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 8, count * 4));
		for (long i = start; i < start + count; i++) {
			text.append(' ').append(WORDS[(int) (i % WORDS.length)]);
		}
		return text.toString();
	}

}
