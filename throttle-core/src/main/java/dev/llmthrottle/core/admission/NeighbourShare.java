package dev.llmthrottle.core.admission;

/**
 * The share of one limit that unseen clients sharing the key (a neighbour) hold, seen in
 * the provider's reported remaining against our own books, so that it is reserved ahead
 * of our calls instead of learned from a 429.
 *
 * <h2>How</h2> On each report, what our books cannot explain is
 * {@code (amount - used by us - reported remaining) / amount}. In a sliding window or a
 * token bucket it is what the neighbour holds now; a fixed window (or the per-period
 * window of a quantized provider) reports its count since a boundary we cannot see, so
 * there it reaches the neighbour's share only just before the boundary. The share is
 * therefore the <em>largest</em> such figure seen over the last half period to one period
 * (two half-period buckets): it follows a neighbour within one report, and decays to 0
 * within one to two periods of reports that show none. The partition's state reserves the
 * share (plus the 2% a report may be off by) in the limit's window
 * ({@link dev.llmthrottle.core.rate.PacedWindow#reserve}): admission is paced and
 * windowed at {@code amount x (1 - share)}, while the limit's amount itself (what makes a
 * call too large) is unchanged. Figures within 2% of the amount are noise (a report a
 * moment older than our books, rounding) and count as 0.
 *
 * <h2>Bounds (rule R2)</h2> The share is clamped to {@code [0, 0.9]} (we always keep a
 * tenth) whatever the provider reports, and it is forgotten one period after the last
 * report that showed it.
 *
 * <p>
 * Not thread-safe: the partition's lock guards it.
 */
final class NeighbourShare {

	/** The largest share of a limit attributed to neighbours. */
	static final double MAX_SHARE = 0.9;

	private static final double NOISE = 0.02;

	private long base;

	private double current;

	private double previous;

	private long bucketStart;

	private boolean started;

	/**
	 * @param base the limit's amount as configured or learned, before any share
	 */
	NeighbourShare(long base) {
		this.base = base;
	}

	/** The limit's amount as configured or learned, before the neighbour's share. */
	long base() {
		return this.base;
	}

	void base(long base) {
		this.base = base;
	}

	/**
	 * Takes one report into account.
	 * @param used what we admitted in the trailing window
	 * @param reported what the provider reports remaining
	 * @return the share now
	 */
	double observe(long used, long reported, long periodNanos, long now) {
		roll(periodNanos, now);
		long amount = Math.max(1, this.base);
		long clampedReported = Math.max(0, Math.min(reported, amount));
		double unexplained = (double) (amount - Math.max(0, Math.min(used, amount)) - clampedReported) / amount;
		if (unexplained > NOISE) {
			this.current = Math.max(this.current, Math.min(unexplained, MAX_SHARE));
		}
		return share(periodNanos, now);
	}

	/** The share now (0 once a period has passed without a report showing one). */
	double share(long periodNanos, long now) {
		roll(periodNanos, now);
		return Math.max(this.current, this.previous);
	}

	/**
	 * The amount to run the limit at: the base less the share and, while there is one,
	 * the 2% a report may be off by (a neighbour's share measured exactly leaves no room
	 * for that); at least 1.
	 */
	long effective(long periodNanos, long now) {
		return Math.max(1, (long) Math.floor(this.base * (1 - reserved(periodNanos, now)) + 1e-9));
	}

	/**
	 * The fraction of the limit to reserve: the share plus the 2% a report may be off by
	 * while there is one, at most {@link #MAX_SHARE}; 0 when none.
	 */
	double reserved(long periodNanos, long now) {
		double share = share(periodNanos, now);
		return (share > 0) ? Math.min(MAX_SHARE, share + NOISE) : 0;
	}

	/** {@link #reserved} in parts per million. */
	long reservedPpm(long periodNanos, long now) {
		return (long) Math.floor(reserved(periodNanos, now) * 1_000_000);
	}

	/**
	 * How long from {@code now} the share as it stands may be held without further
	 * reports: until the bucket holding the largest figure rolls out (at most two
	 * periods), 0 when there is no share.
	 */
	long heldForNanos(long periodNanos, long now) {
		if (share(periodNanos, now) <= 0) {
			return 0;
		}
		long period = Math.max(1, periodNanos);
		long end = (this.current > 0) ? this.bucketStart + 2 * period : this.bucketStart + period;
		return Math.max(0, Math.min(end - now, 2 * period));
	}

	private void roll(long periodNanos, long now) {
		long half = Math.max(1, periodNanos);
		if (!this.started) {
			this.started = true;
			this.bucketStart = now;
			return;
		}
		long elapsed = now - this.bucketStart;
		if (elapsed >= 2 * half || elapsed < 0) {
			this.previous = 0;
			this.current = 0;
			this.bucketStart = now;
		}
		else if (elapsed >= half) {
			this.previous = this.current;
			this.current = 0;
			this.bucketStart += half;
		}
	}

}
