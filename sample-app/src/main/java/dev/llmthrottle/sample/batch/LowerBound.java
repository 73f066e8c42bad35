package dev.llmthrottle.sample.batch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import dev.llmthrottle.core.Limit;

/**
 * The least time the configured limits allow for what the batch actually spent
 * (design.md, "Lower bound and efficiency"): the largest of {@code C_d / amount * period}
 * over every configured limit, where {@code C_d} is the batch's total actual cost in the
 * limit's dimension, and of {@code summed latency / max-concurrent}. No credit is given
 * for an initial burst, so a client that bursts where the provider allows it can score
 * above 1.0 on a short batch.
 *
 * @param seconds the bound
 * @param terms every term, largest first
 */
public record LowerBound(double seconds, List<Term> terms) {

	/**
	 * Computes the bound.
	 * @param limits the provider's configured limits
	 * @param maxConcurrent its concurrency cap, 0 for none
	 * @param spent what the batch spent
	 */
	static LowerBound of(List<Limit> limits, int maxConcurrent, Spent spent) {
		List<Term> terms = new ArrayList<>();
		for (Limit limit : limits) {
			long cost = spent.amount(limit.dimension());
			double periodSeconds = limit.periodNanos() / 1e9;
			terms.add(new Term(String.format(Locale.ROOT, "%d %s / %s", cost, limit.dimension().id(), limit),
					cost / (double) limit.amount() * periodSeconds));
		}
		if (maxConcurrent > 0) {
			terms.add(new Term(String.format(Locale.ROOT, "%.1f s summed latency / %d concurrent",
					spent.summedLatencySeconds(), maxConcurrent), spent.summedLatencySeconds() / maxConcurrent));
		}
		terms.sort(Comparator.comparingDouble(Term::seconds).reversed());
		return new LowerBound(terms.isEmpty() ? 0 : terms.get(0).seconds(), List.copyOf(terms));
	}

	/**
	 * The term that sets the bound, e.g.
	 * {@code 300 requests / 240 requests per 1m = 75.00 s}.
	 */
	public String binding() {
		return this.terms.isEmpty() ? "none" : this.terms.get(0).toString();
	}

	/**
	 * One candidate of the bound.
	 *
	 * @param description what was divided by what
	 * @param seconds the time it takes
	 */
	public record Term(String description, double seconds) {

		@Override
		public String toString() {
			return String.format(Locale.ROOT, "%s = %.2f s", this.description, this.seconds);
		}

	}

	/**
	 * What a batch actually spent.
	 *
	 * @param requests requests the provider counted: every attempt that got a response
	 * other than 429 (failed attempts count too, as providers count them), or no response
	 * at all
	 * @param inputTokens prompt tokens from the responses' {@code usage}
	 * @param outputTokens completion tokens from the responses' {@code usage}
	 * @param summedLatencySeconds time all attempts spent on the wire, added up
	 */
	public record Spent(long requests, long inputTokens, long outputTokens, double summedLatencySeconds) {

		long amount(dev.llmthrottle.core.Dimension dimension) {
			return switch (dimension) {
				case REQUESTS -> this.requests;
				case TOKENS -> this.inputTokens + this.outputTokens;
				case INPUT_TOKENS -> this.inputTokens;
				case OUTPUT_TOKENS -> this.outputTokens;
			};
		}

	}

}
