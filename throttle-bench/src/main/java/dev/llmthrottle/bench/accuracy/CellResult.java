package dev.llmthrottle.bench.accuracy;

import java.util.Locale;

/**
 * The figures of one cell, printed as one stable {@code BENCH key=value} line.
 *
 * @param client the client's name
 * @param model the enforcement model's key
 * @param calls calls in the batch
 * @param ok calls that finally succeeded
 * @param failed calls that finally failed (the client gave up)
 * @param unfinished calls not done when the cell's deadline stopped it
 * @param http429 429 responses the provider sent (its own count)
 * @param overAdmission the most admitted in any trailing window of a limit's period over
 * its amount, the largest over the limits (the provider's evidence; a noisy neighbour's
 * share excluded)
 * @param peakSecond the most requests admitted in any one second over the requests
 * limit's per-second share
 * @param makespanSeconds from the batch's start to the last call's end
 * @param lowerBoundSeconds the design's lower bound for what the provider settled
 * @param waitP50Millis the median admission wait of the successful calls
 * @param waitP99Millis the 99th percentile of the same
 */
public record CellResult(String client, String model, int calls, long ok, long failed, long unfinished, long http429,
		double overAdmission, double peakSecond, double makespanSeconds, double lowerBoundSeconds, double waitP50Millis,
		double waitP99Millis) {

	/** {@code lower bound / makespan}. */
	public double efficiency() {
		return (this.makespanSeconds > 0) ? this.lowerBoundSeconds / this.makespanSeconds : 0;
	}

	/** The printed line. */
	public String toLine() {
		return String.format(Locale.ROOT,
				"BENCH client=%s model=%s calls=%d ok=%d failed=%d unfinished=%d http_429=%d over_admission=%.3f "
						+ "peak_1s=%.2f makespan_s=%.2f lower_bound_s=%.2f efficiency=%.3f wait_p50_ms=%.0f "
						+ "wait_p99_ms=%.0f",
				this.client, this.model, this.calls, this.ok, this.failed, this.unfinished, this.http429,
				this.overAdmission, this.peakSecond, this.makespanSeconds, this.lowerBoundSeconds, efficiency(),
				this.waitP50Millis, this.waitP99Millis);
	}

}
