package dev.llmthrottle.bench.accuracy;

import java.time.Duration;
import java.util.List;

/**
 * The least time the provider's limits allow for what the batch actually spent
 * (design.md, "Lower bound and efficiency"): the largest of
 * {@code total / amount x period} over every limit, and of {@code summed latency /
 * max concurrent}. With a noisy neighbour taking a share {@code s} of every limit, only
 * {@code (1 - s) x amount} is ours. No credit for an initial burst, so a bursting client
 * can score above 1.0 on a short batch.
 */
public final class LowerBound {

	private LowerBound() {
	}

	/**
	 * @param limits each limit with the total the provider settled against it
	 * @param neighbourShare the share of every limit taken by others, in [0, 1)
	 * @param summedLatency the time all successful calls spent at the provider, added up
	 * @param maxConcurrent the concurrency cap, 0 for none
	 * @return the bound in seconds
	 */
	public static double seconds(List<Spent> limits, double neighbourShare, Duration summedLatency, int maxConcurrent) {
		double bound = 0;
		for (Spent spent : limits) {
			double ours = spent.amount() * (1 - neighbourShare);
			bound = Math.max(bound, spent.total() / ours * (spent.period().toNanos() / 1e9));
		}
		if (maxConcurrent > 0) {
			bound = Math.max(bound, summedLatency.toNanos() / 1e9 / maxConcurrent);
		}
		return bound;
	}

	/**
	 * What was spent against one limit.
	 *
	 * @param amount the limit's amount
	 * @param period the limit's period
	 * @param total the amount the provider settled against it over the batch
	 */
	public record Spent(long amount, Duration period, long total) {
	}

}
