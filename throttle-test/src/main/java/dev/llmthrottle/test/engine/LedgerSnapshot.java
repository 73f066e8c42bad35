package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.Dimension;
import java.util.Map;

/**
 * A copy of the evidence: the real client's charges per dimension and the request-level
 * counters.
 *
 * @param series charges per dimension, in time order, with settled amounts
 * @param admitted requests admitted
 * @param completed admitted requests that completed (any way)
 * @param inFlight admitted requests not yet completed
 * @param maxInFlight the most requests in flight at once
 * @param firstAdmission clock reading of the first admission, or {@code Long.MIN_VALUE}
 * if none
 * @param lastCompletion clock reading of the last completion, or {@code Long.MIN_VALUE}
 * if none
 */
public record LedgerSnapshot(Map<Dimension, Series> series, long admitted, long completed, int inFlight,
		int maxInFlight, long firstAdmission, long lastCompletion) {

	/** No value. */
	public static final long NONE = Long.MIN_VALUE;

	/** Copies the map. */
	public LedgerSnapshot {
		series = Map.copyOf(series);
	}

	/**
	 * Charges of one dimension.
	 *
	 * @param times clock readings, non-decreasing
	 * @param amounts settled amounts, parallel to {@code times}
	 */
	public record Series(long[] times, long[] amounts) {

		/** Number of charges. */
		public int size() {
			return times.length;
		}

		/** Sum of all amounts. */
		public long total() {
			long total = 0;
			for (long a : amounts) {
				total += a;
			}
			return total;
		}

		/**
		 * The largest sum of amounts within any window of the given length, where a
		 * window holds the charges with {@code t - start < length}: the maximum any
		 * trailing window ever saw.
		 */
		public long maxInWindow(long lengthNanos) {
			long best = 0;
			long sum = 0;
			int left = 0;
			for (int right = 0; right < times.length; right++) {
				sum += amounts[right];
				while (times[right] - times[left] >= lengthNanos) {
					sum -= amounts[left];
					left++;
				}
				best = Math.max(best, sum);
			}
			return best;
		}
	}
}
