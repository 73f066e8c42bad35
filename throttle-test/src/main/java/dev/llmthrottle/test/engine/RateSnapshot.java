package dev.llmthrottle.test.engine;

import java.util.List;

/**
 * The state of every limit at one clock reading, in configuration order; input to the
 * rate-limit headers.
 *
 * @param nanoTime the clock reading
 * @param limits one state per configured limit
 */
public record RateSnapshot(long nanoTime, List<LimitState> limits) {

	/** Copies the list. */
	public RateSnapshot {
		limits = List.copyOf(limits);
	}
}
