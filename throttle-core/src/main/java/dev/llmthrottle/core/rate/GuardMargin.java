package dev.llmthrottle.core.rate;

/**
 * The guard of a partition's windows, learned from refusals our books cannot explain.
 *
 * <p>
 * Every {@link PacedWindow} stretches its period by a guard for the time between our
 * admission and the provider's stamp on arrival. By default it is 1% of the period. When
 * the provider refuses a call although every limit had room by our books (no debt, no
 * reservation held for a neighbour, no provisional limit), the refusal is jitter or clock
 * skew we did not account for: the guard {@linkplain #widen widens} by one base step (1%
 * of the period), at most once per second (the refusals of one episode arrive together)
 * and never above {@link #MAX_PPM} (10%). Additive steps find the guard the jitter needs
 * with an overshoot of at most one step; doubling (measured first) overshot to the 10%
 * ceiling against 0-100 ms of jitter on a 1-s quantum and cost a tenth of the throughput.
 * When refusals stop it decays back: it holds for {@link #HOLD_NANOS} after the last
 * widening, then the part above the base halves every {@link #HALF_LIFE_NANOS}, and it
 * snaps back to the base once within 1% of it.
 *
 * <p>
 * Not thread-safe: the owner serialises access. Time is the owner's nanosecond clock.
 */
public final class GuardMargin {

	/** The floor, and the guard before any refusal: 1% of the period. */
	public static final long BASE_PPM = PacedWindow.BASE_GUARD_PPM;

	/** The ceiling: 10% of the period. */
	public static final long MAX_PPM = 100_000;

	/** How long a widened guard holds before it starts to decay. */
	public static final long HOLD_NANOS = 60_000_000_000L;

	/** Once decaying, how long it takes the part above the base to halve. */
	public static final long HALF_LIFE_NANOS = 30_000_000_000L;

	private static final long MIN_WIDEN_INTERVAL_NANOS = 1_000_000_000L;

	private long widenedPpm = BASE_PPM;

	private long widenedAt;

	private boolean widened;

	private long unexplained;

	/** The guard in parts per million of the period at {@code now}. */
	public long ppm(long now) {
		if (!this.widened) {
			return BASE_PPM;
		}
		long sinceHold = now - this.widenedAt - HOLD_NANOS;
		if (sinceHold <= 0) {
			return this.widenedPpm;
		}
		double halvings = (double) sinceHold / HALF_LIFE_NANOS;
		double excess = (this.widenedPpm - BASE_PPM) * Math.pow(0.5, halvings);
		if (excess < BASE_PPM / 100.0) {
			return BASE_PPM;
		}
		return BASE_PPM + (long) excess;
	}

	/**
	 * Records a refusal our books cannot explain: the guard widens by {@link #BASE_PPM}
	 * (at most once a second, at most to {@link #MAX_PPM}).
	 * @return whether the guard changed
	 */
	public boolean widen(long now) {
		this.unexplained++;
		long current = ppm(now);
		if (this.widened && now - this.widenedAt < MIN_WIDEN_INTERVAL_NANOS) {
			return false;
		}
		long next = Math.min(MAX_PPM, current + BASE_PPM);
		boolean changed = next != current;
		this.widenedPpm = next;
		this.widenedAt = now;
		this.widened = true;
		return changed;
	}

	/** How many refusals our books could not explain so far. */
	public long unexplainedRefusals() {
		return this.unexplained;
	}

}
