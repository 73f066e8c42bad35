package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.Limit;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Exact sliding window: the sum of the charges made in the trailing period, where a
 * charge made at {@code t} counts while {@code now - t < period}. A request waits until
 * enough of the oldest charges have expired.
 */
final class SlidingWindowMeter implements Meter {

	private final Limit limit;

	private final long period;

	private final ArrayDeque<Charge> entries = new ArrayDeque<>();

	private long sum;

	SlidingWindowMeter(Limit limit) {
		this.limit = limit;
		this.period = limit.periodNanos();
	}

	@Override
	public Limit limit() {
		return limit;
	}

	private void evict(long now) {
		Charge first = entries.peekFirst();
		while (first != null && now - first.time >= period) {
			sum -= first.amount;
			entries.pollFirst();
			first = entries.peekFirst();
		}
	}

	@Override
	public long available(long now) {
		evict(now);
		return limit.amount() - sum;
	}

	@Override
	public long waitNanos(long units, long now) {
		evict(now);
		long excess = sum + units - limit.amount();
		if (excess <= 0) {
			return 0;
		}
		long freed = 0;
		for (Charge entry : entries) {
			freed += entry.amount;
			if (freed >= excess) {
				return entry.time + period - now;
			}
		}
		return Long.MAX_VALUE;
	}

	@Override
	public Charge charge(long units, long now) {
		evict(now);
		Charge charge = new Charge(now, units, 0);
		entries.addLast(charge);
		sum += units;
		return charge;
	}

	@Override
	public void adjust(Charge charge, long delta, long now) {
		evict(now);
		charge.amount += delta;
		if (now - charge.time < period) {
			sum += delta;
		}
	}

	@Override
	public long remaining(long now) {
		return Math.max(0, available(now));
	}

	@Override
	public long resetNanos(long now) {
		evict(now);
		Iterator<Charge> newestFirst = entries.descendingIterator();
		while (newestFirst.hasNext()) {
			Charge entry = newestFirst.next();
			if (entry.amount > 0) {
				return entry.time + period - now;
			}
		}
		return 0;
	}

}
