package dev.llmthrottle.test.dialect;

import java.util.List;

/**
 * A generated completion: its usage and the output tokens of each choice.
 *
 * @param promptTokens input usage
 * @param choiceTokens output tokens per choice (each between 1 and {@code maxTokens})
 * @param maxTokens the request's output cap per choice
 */
public record Completion(long promptTokens, List<Long> choiceTokens, long maxTokens) {

	/** Copies the list. */
	public Completion {
		choiceTokens = List.copyOf(choiceTokens);
	}

	/** Total output tokens over all choices. */
	public long completionTokens() {
		long total = 0;
		for (long t : choiceTokens) {
			total += t;
		}
		return total;
	}

	/**
	 * Whether a choice stopped at the output cap (finish reason {@code length} /
	 * {@code max_tokens}).
	 */
	public boolean truncated(int choice) {
		return choiceTokens.get(choice) >= maxTokens;
	}
}
