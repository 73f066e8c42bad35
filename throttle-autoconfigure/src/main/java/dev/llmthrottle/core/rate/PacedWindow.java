package dev.llmthrottle.core.rate;

import java.util.ArrayDeque;
import java.util.Iterator;

import dev.llmthrottle.core.Limit;

/**
 * The accounting of one {@link Limit}: an exact trailing window plus smooth pacing.
 *
 * <h2>Why two mechanisms</h2>
 * Providers enforce "N per period" in different ways: a continuous token bucket (Anthropic), an exact sliding
 * window, fixed windows on boundaries we cannot see (Azure tokens), or per-second quantization of a per-minute
 * figure (OpenAI, Azure requests). A client that only keeps "at most N in each of its own cycles" can put 2N into
 * one provider window across a cycle boundary, and a client that bursts N at once is refused by a quantized
 * provider. Two rules together are safe against all four:
 * <ol>
 * <li><b>Exact trailing window.</b> The amount admitted in any window of length {@code period} ending now never
 * exceeds {@code amount}. Since a fixed window is a special trailing window, and a token bucket of capacity
 * {@code amount} refills at least as fast, this rule alone is safe against the first three models.</li>
 * <li><b>Pacing</b> (GCRA, the virtual-scheduling form of a leaky bucket). The limit's steady rate gives each
 * unit an emission interval {@code T = period / amount}. We remember the theoretical arrival time {@code tat}: the
 * instant at which everything admitted so far would have been sent at the steady rate. A cost {@code c} is
 * admitted at {@code now} if {@code tat - burst <= now}; then {@code tat = max(tat, now) + c * T}. A large request
 * therefore goes at once and later callers pay for it (as in Guava's SmoothRateLimiter), and in any interval the
 * admitted amount is at most the steady rate times its length plus one request. With {@code burst = 0} the
 * requests of a per-minute limit are spread at {@code limit/60} per second, which is what a quantizing provider
 * accepts, and the long-run rate is exactly the limit, so nothing is lost to safety margins.</li>
 * </ol>
 * A call is admitted only when both rules allow it; {@link #nanosUntilAvailable} tells how long until they do.
 * Both use the period stretched by a guard of 1% (at most one second), because the provider stamps a call when it
 * arrives, a little after we admit it: without the guard, a call admitted the very instant the oldest one leaves
 * our window can land inside the provider's.
 *
 * <h2>Settling</h2>
 * The estimate admitted up front is corrected when the real usage is known: the entry keeps its admission time and
 * its amount changes (a refund frees window room and moves {@code tat} back, never before now; a debt is charged to
 * the same entry, or to now if that entry has left the window). The window stores admissions in buckets no wider
 * than {@code period / 1024}, each stamped with its <em>latest</em> admission, so memory stays bounded for day-long
 * periods and an entry never leaves the window early.
 *
 * <h2>What the provider tells us</h2>
 * When the provider reports fewer units remaining than we believe, the difference (another process sharing the
 * key) is held as an external reservation until the provider's reset instant.
 *
 * <p>
 * Not thread-safe: the owner (a partition, or {@link PacedRateLimiter}) serialises access.
 */
public final class PacedWindow {

	/** Returned by {@link #nanosUntilAvailable} when the cost can never fit. */
	public static final long NEVER = Long.MAX_VALUE;

	private static final int BUCKETS_PER_PERIOD = 1024;

	private static final long REPORT_TOLERANCE_DIVISOR = 50;

	private static final long GUARD_DIVISOR = 100;

	private static final long MAX_GUARD_NANOS = 1_000_000_000L;

	private Limit limit;

	private long amount;

	private long periodNanos;

	private long granularityNanos;

	private long burstNanos;

	private final ArrayDeque<Entry> entries = new ArrayDeque<>();

	private long windowSum;

	private long tat;

	private boolean started;

	private long externalAmount;

	private long externalUntil;

	/**
	 * @param limit the budget
	 * @param burstNanos how far ahead of the steady rate admissions may run after an idle spell (0 = strict pacing)
	 */
	public PacedWindow(Limit limit, long burstNanos) {
		reconfigure(limit, burstNanos);
	}

	/** Changes the budget, keeping what was admitted and the burst allowance. */
	public void reconfigure(Limit limit) {
		reconfigure(limit, this.burstNanos);
	}

	/**
	 * Adopts a limit learned from the provider: like {@link #reconfigure(Limit)}, and the pacing still owed is
	 * rescaled to the new rate, so that calls paced at a provisional rate do not hold back the learned one.
	 */
	public void relearn(Limit limit, long now) {
		long oldAmount = this.amount;
		long oldPeriod = this.periodNanos;
		reconfigure(limit);
		if (this.started && this.tat > now) {
			double owedUnits = (double) (this.tat - now) * oldAmount / oldPeriod;
			this.tat = now + (long) Math.ceil(owedUnits * this.periodNanos / this.amount);
		}
	}

	/** Changes the budget, keeping what was admitted; used for runtime changes and limits learned from headers. */
	public void reconfigure(Limit limit, long burstNanos) {
		if (this.limit != null && this.limit.amount() != limit.amount()) {
			// an external reservation was measured against the old amount; the next report measures it again
			this.externalAmount = 0;
			this.externalUntil = 0;
		}
		this.limit = limit;
		this.amount = limit.amount();
		// The guard: 1% of the period (at most a second) for the jitter between our admission and the provider's
		// arrival clock. Without it, a call admitted the instant the oldest leaves our window can land inside the
		// provider's. It costs 1% of throughput and buys zero 429s.
		this.periodNanos = limit.periodNanos() + Math.min(limit.periodNanos() / GUARD_DIVISOR, MAX_GUARD_NANOS);
		this.granularityNanos = Math.max(1, this.periodNanos / BUCKETS_PER_PERIOD);
		this.burstNanos = Math.max(0, burstNanos);
	}

	public Limit limit() {
		return this.limit;
	}

	/**
	 * How long from {@code now} until {@code cost} fits both the trailing window and the pacing, 0 if it fits
	 * now, or {@link #NEVER} if it exceeds the limit itself.
	 */
	public long nanosUntilAvailable(long cost, long now) {
		if (cost <= 0) {
			return 0;
		}
		if (cost > this.amount) {
			return NEVER;
		}
		expire(now);
		long wait = 0;
		if (this.started) {
			wait = Math.max(0, this.tat - this.burstNanos - now);
		}
		long external = (now < this.externalUntil) ? this.externalAmount : 0;
		long excess = this.windowSum + external + cost - this.amount;
		if (excess > 0) {
			wait = Math.max(wait, nanosUntilFreed(excess, external, now));
		}
		return wait;
	}

	private long nanosUntilFreed(long excess, long external, long now) {
		long freed = 0;
		boolean externalCounted = external == 0;
		for (Entry entry : this.entries) {
			long expiry = entry.time + this.periodNanos;
			if (!externalCounted && this.externalUntil <= expiry) {
				freed += external;
				externalCounted = true;
				if (freed >= excess) {
					return this.externalUntil - now;
				}
			}
			freed += entry.amount;
			if (freed >= excess) {
				return expiry - now;
			}
		}
		return externalCounted ? 0 : Math.max(0, this.externalUntil - now);
	}

	/**
	 * Admits {@code cost} at {@code now}. The caller has checked {@link #nanosUntilAvailable} is 0.
	 * @return the entry to settle later
	 */
	public Entry consume(long cost, long now) {
		expire(now);
		this.tat = (this.started ? Math.max(this.tat, now) : now) + interval(cost);
		this.started = true;
		Entry last = this.entries.peekLast();
		if (last != null && now < last.time) {
			// a reservation booked ahead (RateLimiter#reservePermission) is later than now: stamp this one no
			// earlier, so entries stay in order and none leaves the window early
			now = last.time;
		}
		if (last != null && now - last.first < this.granularityNanos && now >= last.time) {
			last.time = now;
			last.amount += cost;
		}
		else {
			last = new Entry(now, cost);
			this.entries.addLast(last);
		}
		this.windowSum += cost;
		return last;
	}

	/**
	 * Corrects an earlier admission from {@code admitted} to {@code actual} units.
	 * @param entry what {@link #consume} returned
	 */
	public void settle(Entry entry, long admitted, long actual, long now) {
		long delta = actual - admitted;
		if (delta == 0) {
			return;
		}
		expire(now);
		boolean inWindow = entry.live;
		if (delta < 0) {
			long refund = inWindow ? Math.min(-delta, entry.amount) : 0;
			entry.amount -= refund;
			this.windowSum -= refund;
			if (this.started) {
				this.tat = Math.max(now, this.tat - intervalFloor(-delta));
			}
		}
		else {
			if (inWindow) {
				entry.amount += delta;
			}
			else {
				this.entries.addLast(new Entry(now, delta));
			}
			this.windowSum += delta;
			this.tat = (this.started ? Math.max(this.tat, now) : now) + interval(delta);
			this.started = true;
		}
	}

	/**
	 * Records that the provider reports only {@code remaining} units left until {@code now + resetNanos}: when that
	 * is less than we believe by more than 2% of the limit, the difference is held back until then (capped at one
	 * period). Never raises what we believe.
	 */
	public void reportRemaining(long remaining, long resetNanos, long now) {
		if (remaining < 0 || resetNanos <= 0) {
			return;
		}
		expire(now);
		long external = (now < this.externalUntil) ? this.externalAmount : 0;
		long believed = this.amount - this.windowSum - external;
		if (believed - remaining <= this.amount / REPORT_TOLERANCE_DIVISOR) {
			// within 2% of the limit: the provider's figure is a moment older than ours (entries that left our
			// window since it answered, rounding such as Anthropic's nearest 1,000); not worth holding back
			return;
		}
		long until = now + Math.min(resetNanos, this.periodNanos);
		this.externalAmount = external + (believed - remaining);
		this.externalUntil = Math.max(until, (external > 0) ? this.externalUntil : until);
	}

	/** Units still available in the trailing window now (ignoring pacing). */
	public long available(long now) {
		expire(now);
		long external = (now < this.externalUntil) ? this.externalAmount : 0;
		return Math.max(0, this.amount - this.windowSum - external);
	}

	/** Units admitted in the trailing window ending now. */
	public long used(long now) {
		expire(now);
		return this.windowSum;
	}

	/** Whether nothing admitted is still in the window and pacing has caught up: the state is as good as new. */
	public boolean isIdle(long now) {
		expire(now);
		return this.entries.isEmpty() && (!this.started || this.tat <= now) && now >= this.externalUntil;
	}

	private void expire(long now) {
		Iterator<Entry> iterator = this.entries.iterator();
		while (iterator.hasNext()) {
			Entry entry = iterator.next();
			if (entry.time + this.periodNanos > now) {
				return;
			}
			this.windowSum -= entry.amount;
			entry.amount = 0;
			entry.live = false;
			iterator.remove();
		}
	}

	private long interval(long cost) {
		return (long) Math.ceil((double) cost * this.periodNanos / this.amount);
	}

	private long intervalFloor(long cost) {
		return (long) Math.floor((double) cost * this.periodNanos / this.amount);
	}

	/** One bucket of admissions; opaque to callers, who hand it back to {@link #settle}. */
	public static final class Entry {

		final long first;

		long time;

		long amount;

		boolean live = true;

		Entry(long time, long amount) {
			this.first = time;
			this.time = time;
			this.amount = amount;
		}

	}

}
