package dev.llmthrottle.sample.batch;

import java.util.Locale;

/**
 * The figures of a finished batch, printed as the {@code SUMMARY} line.
 *
 * @param provider the provider called
 * @param requests prompts in the batch
 * @param succeeded prompts that got a completion
 * @param failed prompts that did not (recorded in the results file with their error)
 * @param http429 429 responses actually received: the simulated provider's own count of
 * the rejections it sent when simulated, else the count of the innermost
 * {@code WebClient} filter
 * @param retries HTTP attempts beyond the first of each prompt
 * @param makespanSeconds from the first submission to the last outcome
 * @param lowerBound the least time the configured limits allow for what the batch spent
 */
public record BatchSummary(String provider, int requests, long succeeded, long failed, long http429, long retries,
		double makespanSeconds, LowerBound lowerBound) {

	/** {@code lower bound / makespan}. */
	public double efficiency() {
		return (this.makespanSeconds > 0) ? this.lowerBound.seconds() / this.makespanSeconds : 0;
	}

	public double lowerBoundSeconds() {
		return this.lowerBound.seconds();
	}

	/** The one-line form, {@code SUMMARY provider=... efficiency=0.xxx}. */
	public String line() {
		return String.format(Locale.ROOT,
				"SUMMARY provider=%s requests=%d succeeded=%d failed=%d http_429=%d retries=%d makespan_s=%.2f "
						+ "lower_bound_s=%.2f efficiency=%.3f",
				this.provider, this.requests, this.succeeded, this.failed, this.http429, this.retries,
				this.makespanSeconds, this.lowerBound.seconds(), efficiency());
	}

}
