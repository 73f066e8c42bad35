package dev.llmthrottle.test.stats;

import dev.llmthrottle.test.config.Limit;

/**
 * Evidence for one configured limit, from the real client's settled charges (the noisy
 * neighbour excluded).
 *
 * @param limit the configured limit
 * @param maxInWindow the largest amount admitted within any window of the limit's period
 * (a charge at {@code t} is in the window {@code [s, s + period)} when
 * {@code s <= t < s + period})
 * @param maxInAnySecond the same for one-second windows (the quantized view of request
 * limits)
 * @param total the total amount admitted
 */
public record LimitStats(Limit limit, long maxInWindow, long maxInAnySecond, long total) {

	/** Whether some window of the period admitted more than the limit's amount. */
	public boolean exceeded() {
		return maxInWindow > limit.amount();
	}

	/** {@code maxInWindow / amount}: 1.0 means a window was exactly full. */
	public double peakUtilization() {
		return (double) maxInWindow / limit.amount();
	}
}
