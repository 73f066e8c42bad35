package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.Limit;

/**
 * Fixed windows {@code [origin + k*period, origin + (k+1)*period)}: the counter resets on
 * each boundary. A settlement changes the counter only while its charge's window is
 * current.
 */
final class FixedWindowMeter implements Meter {

	private final Limit limit;

	private final long period;

	private final long origin;

	private long window = Long.MIN_VALUE;

	private long used;

	FixedWindowMeter(Limit limit, long origin) {
		this.limit = limit;
		this.period = limit.periodNanos();
		this.origin = origin;
	}

	@Override
	public Limit limit() {
		return limit;
	}

	private long windowOf(long t) {
		return Math.floorDiv(t - origin, period);
	}

	private void roll(long now) {
		long k = windowOf(now);
		if (k != window) {
			window = k;
			used = 0;
		}
	}

	/**
	 * Usage of the window containing {@code t} (a reading not before the last one seen);
	 * no side effects.
	 */
	long usedAt(long t) {
		return windowOf(t) == window ? used : 0;
	}

	/**
	 * Wait from {@code t} (not before the last reading seen) until {@code units} fit; no
	 * side effects.
	 */
	long waitFrom(long units, long t) {
		return usedAt(t) + units <= limit.amount() ? 0 : origin + (windowOf(t) + 1) * period - t;
	}

	@Override
	public long available(long now) {
		roll(now);
		return limit.amount() - used;
	}

	@Override
	public long waitNanos(long units, long now) {
		roll(now);
		return waitFrom(units, now);
	}

	@Override
	public Charge charge(long units, long now) {
		roll(now);
		used += units;
		return new Charge(now, units, window);
	}

	@Override
	public void adjust(Charge charge, long delta, long now) {
		roll(now);
		charge.amount += delta;
		if (charge.window == window) {
			used += delta;
		}
	}

	@Override
	public long remaining(long now) {
		return Math.max(0, available(now));
	}

	@Override
	public long resetNanos(long now) {
		roll(now);
		return used > 0 ? origin + (window + 1) * period - now : 0;
	}

}
