package dev.llmthrottle.core.rate;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;

import dev.llmthrottle.core.Limit;

/**
 * The accounting of one {@link Limit}: an exact trailing window plus smooth pacing.
 *
 * <h2>Why two mechanisms</h2> Providers enforce "N per period" in different ways: a
 * continuous token bucket (Anthropic), an exact sliding window, fixed windows on
 * boundaries we cannot see (Azure tokens), or per-second quantization of a per-minute
 * figure (OpenAI, Azure requests). A client that only keeps "at most N in each of its own
 * cycles" can put 2N into one provider window across a cycle boundary, and a client that
 * bursts N at once is refused by a quantized provider. Two rules together are safe
 * against all four:
 * <ol>
 * <li><b>Exact trailing window.</b> The amount admitted in any window of length
 * {@code period} ending now never exceeds {@code amount}. Since a fixed window is a
 * special trailing window, and a token bucket of capacity {@code amount} refills at least
 * as fast, this rule alone is safe against the first three models.</li>
 * <li><b>Pacing</b> (GCRA, the virtual-scheduling form of a leaky bucket). The limit's
 * steady rate gives each unit an emission interval {@code T = period / amount}. We
 * remember the theoretical arrival time {@code tat}: the instant at which everything
 * admitted so far would have been sent at the steady rate. A cost {@code c} is admitted
 * at {@code now} if {@code tat - burst <= now}; then {@code tat = max(tat, now) + c * T}.
 * A large request therefore goes at once and later callers pay for it (as in Guava's
 * SmoothRateLimiter), and in any interval the admitted amount is at most the steady rate
 * times its length plus one request. With {@code burst = 0} the requests of a per-minute
 * limit are spread at {@code limit/60} per second, which is what a quantizing provider
 * accepts, and the long-run rate is exactly the limit, so nothing is lost to safety
 * margins.</li>
 * </ol>
 * A call is admitted only when both rules allow it; {@link #nanosUntilAvailable} tells
 * how long until they do. Every limit is checked for every call, also one that costs 0 in
 * its dimension (rule R1): such a call needs room for one unit but takes nothing, so a
 * window in debt holds everyone back until it has drained. Both use the period stretched
 * by a guard, 1% by default (at most one second), because the provider stamps a call when
 * it arrives, a little after we admit it: without the guard, a call admitted the very
 * instant the oldest one leaves our window can land inside the provider's. The owner may
 * widen the guard ({@link #guard(long)}) when the provider refuses calls our books had
 * room for ({@link GuardMargin}).
 *
 * <h2>Enforcement</h2> How far the pacing may run ahead ({@code burst}) is what the
 * declared {@link dev.llmthrottle.core.Enforcement} changes: a strict or small burst when
 * paced, the whole amount at once for a sliding window or a token bucket of capacity
 * {@code amount}. The trailing window is the same in every mode.
 *
 * <h2>Settling</h2> The estimate admitted up front is corrected when the real usage is
 * known: the entry keeps its admission time and its amount changes (a refund frees window
 * room and moves {@code tat} back, never before now; a debt is charged to the same entry,
 * or to now if that entry has left the window). Whatever a provider reports, the state
 * stays within a bounded horizon (rule R2): a settlement adds at most one amount of debt
 * beyond its estimate, the window's sum is capped at twice the amount (keeping its newest
 * units, which leaves every decision as an unbounded window would take it; each bucket
 * counts what the cap dropped, so a refund takes back only what its call still has in the
 * window, never a debt added since, and a raised amount sees again what a lower one
 * dropped), the pacing instant at two periods ahead, and all arithmetic that advances the
 * state saturates, so an absurd usage report locks a limit for at most about two periods
 * and never wraps it open. The window stores admissions in buckets no wider than
 * {@code period / 1024}, each stamped with its <em>latest</em> admission, so memory stays
 * bounded for day-long periods and an entry never leaves the window early.
 *
 * <h2>Booking ahead</h2> {@link PacedRateLimiter#reservePermission} books permits at a
 * future instant. Admissions are booked in order: none is ever stamped before the latest
 * one booked, and the window is checked as of that instant, so a booking ahead never lets
 * a later caller in against a window expired as of the future.
 *
 * <h2>What the provider tells us</h2> When the provider reports fewer units remaining
 * than we believe, the difference (another process sharing the key) is held as an
 * external reservation until the provider's reset instant.
 *
 * <h2>The neighbour's share</h2> The owner may also reserve a share of the limit for
 * unseen clients sharing the key ({@link #reserve(long, long)}), estimated from those
 * reports: while it holds, admissions are paced at {@code amount x (1 - share)} and the
 * trailing window holds back the larger of the share and the external reservation (they
 * measure the same neighbour), so its spending is left room ahead instead of being
 * learned from a 429. The share never makes a call too large: a call is judged against
 * the whole amount, and one that fits the amount but not what the share leaves waits for
 * a window holding nothing but itself. The share is at most {@link #MAX_RESERVE_PPM} and
 * lapses at an instant at most two periods ahead (rule R2).
 *
 * <p>
 * Not thread-safe: the owner (a partition, or {@link PacedRateLimiter}) serialises
 * access.
 */
public final class PacedWindow {

	/** Returned by {@link #nanosUntilAvailable} when the cost can never fit. */
	public static final long NEVER = Long.MAX_VALUE;

	private static final int BUCKETS_PER_PERIOD = 1024;

	private static final long REPORT_TOLERANCE_DIVISOR = 50;

	/** The default guard: 1% of the period, in parts per million. */
	public static final long BASE_GUARD_PPM = 10_000;

	/** Per part per million of guard, at most this many nanoseconds (1 s at 1%). */
	private static final long MAX_GUARD_NANOS_PER_PPM = 100_000L;

	private long guardPpm = BASE_GUARD_PPM;

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

	private long maxSum;

	private long maxAheadNanos;

	/** The largest share of a limit that may be reserved for neighbours: 90%. */
	public static final long MAX_RESERVE_PPM = 900_000;

	private long reservePpm;

	private long reserveUntil;

	/**
	 * @param limit the budget
	 * @param burstNanos how far ahead of the steady rate admissions may run after an idle
	 * spell (0 = strict pacing)
	 */
	public PacedWindow(Limit limit, long burstNanos) {
		reconfigure(limit, burstNanos);
	}

	/** Changes the budget, keeping what was admitted and the burst allowance. */
	public void reconfigure(Limit limit) {
		reconfigure(limit, this.burstNanos);
	}

	/**
	 * Adopts a limit learned from the provider: like {@link #reconfigure(Limit)}, and the
	 * pacing still owed is rescaled to the new rate, so that calls paced at a provisional
	 * rate do not hold back the learned one.
	 */
	public void relearn(Limit limit, long now) {
		relearn(limit, this.burstNanos, now);
	}

	/**
	 * Changes the budget and the burst allowance, keeping what was admitted and the
	 * pacing still owed in units: the owed pacing is rescaled to the new rate, as
	 * {@link #relearn(Limit, long)} does, so that a policy applied after a learned limit
	 * (restoring the configured amount) and the limit learned again never multiply it.
	 */
	public void relearn(Limit limit, long burstNanos, long now) {
		long oldAmount = this.amount;
		long oldPeriod = this.periodNanos;
		reconfigure(limit, burstNanos);
		if (oldAmount == this.amount && oldPeriod == this.periodNanos) {
			return;
		}
		if (this.started && this.tat > now) {
			double owedUnits = (double) Saturating.subtract(this.tat, now) * oldAmount / oldPeriod;
			this.tat = Math.min(Saturating.add(now, Saturating.ceil(owedUnits * this.periodNanos / this.amount)),
					horizon(now));
		}
	}

	/**
	 * Changes the budget, keeping what was admitted; used for runtime changes and limits
	 * learned from headers.
	 */
	public void reconfigure(Limit limit, long burstNanos) {
		if (this.limit != null && this.limit.amount() != limit.amount()) {
			// an external reservation was measured against the old amount; the next
			// report measures it again
			this.externalAmount = 0;
			this.externalUntil = 0;
		}
		this.limit = limit;
		this.amount = limit.amount();
		this.periodNanos = guarded(limit.periodNanos(), this.guardPpm);
		this.granularityNanos = Math.max(1, this.periodNanos / BUCKETS_PER_PERIOD);
		this.burstNanos = Math.max(0, burstNanos);
		long oldMaxSum = this.maxSum;
		this.maxSum = Saturating.multiply(this.amount, 2);
		// the sum is capped again at twice the new amount: a lowered amount drops units
		// into the buckets' dropped
		// counts, and a raised one takes back what was dropped under a lower one, so
		// nothing admitted is forgotten
		if (this.maxSum != oldMaxSum && !this.entries.isEmpty()) {
			recap();
		}
		this.maxAheadNanos = Saturating.multiply(this.periodNanos, 2);
	}

	public Limit limit() {
		return this.limit;
	}

	/**
	 * The period stretched by the guard: {@code ppm} parts per million of it (1% by
	 * default: 10,000), at most {@code ppm / 10,000} seconds (one second at 1%), for the
	 * jitter between our admission and the provider's arrival clock. Without it, a call
	 * admitted the instant the oldest leaves our window can land inside the provider's.
	 * The memory and Redis backends both take it from here.
	 */
	public static long guarded(long periodNanos, long ppm) {
		// exact integer arithmetic: floor(period x ppm / 10^6) without overflow
		long share = Saturating.add(Saturating.multiply(periodNanos / 1_000_000, ppm),
				Saturating.multiply(periodNanos % 1_000_000, ppm) / 1_000_000);
		long guard = Math.min(share, Saturating.multiply(ppm, MAX_GUARD_NANOS_PER_PPM));
		return Saturating.add(periodNanos, guard);
	}

	/**
	 * Sets the guard to {@code ppm} parts per million of the period (see
	 * {@link #guarded}), keeping what was admitted: a wider guard makes admissions leave
	 * the window later and paces a little slower.
	 */
	public void guard(long ppm) {
		long clamped = Math.max(0, ppm);
		if (clamped == this.guardPpm) {
			return;
		}
		this.guardPpm = clamped;
		reconfigure(this.limit, this.burstNanos);
	}

	/** The guard in parts per million of the period. */
	public long guardPpm() {
		return this.guardPpm;
	}

	/**
	 * How long from {@code now} until {@code cost} fits both the trailing window and the
	 * pacing, 0 if it fits now, or {@link #NEVER} if it exceeds the limit itself. A cost
	 * of 0 (or less) must still find room for one unit (rule R1), so a window in debt
	 * holds back even calls that add nothing to it. When admissions have been booked
	 * ahead of {@code now} ({@link PacedRateLimiter#reservePermission}), the answer is
	 * never earlier than the last of them.
	 */
	public long nanosUntilAvailable(long cost, long now) {
		if (cost > this.amount) {
			return NEVER;
		}
		long at = bookingInstant(now);
		expire(at);
		long wait = 0;
		if (this.started) {
			long ahead = Saturating.subtract(this.tat, at);
			wait = (ahead > this.burstNanos) ? ahead - this.burstNanos : 0;
		}
		long external = (at < this.externalUntil) ? this.externalAmount : 0;
		// the neighbour's share, less what the call itself needs beyond it: a call within
		// the amount always fits an otherwise empty window
		long reserved = Math.min(reservedUnits(at), this.amount - Math.max(cost, 1));
		// the external reservation and the share measure the same neighbour: the larger
		// holds, and only the external part above the share leaves at its reset
		long externalAbove = Math.max(0, external - reserved);
		// room for max(cost, 1) (rule R1); no overflow: 1 <= max(cost, 1) <= amount and 0
		// <= reserved + externalAbove <= amount
		long room = this.amount - Math.max(cost, 1) - reserved - externalAbove;
		if (this.windowSum > room) {
			wait = Math.max(wait, nanosUntilFreed(Saturating.subtract(this.windowSum, room), externalAbove, at));
		}
		return (at == now) ? wait : Saturating.add(Saturating.subtract(at, now), wait);
	}

	private long nanosUntilFreed(long excess, long external, long at) {
		long freed = 0;
		boolean externalCounted = external == 0;
		for (Entry entry : this.entries) {
			long expiry = Saturating.add(entry.time, this.periodNanos);
			if (!externalCounted && this.externalUntil <= expiry) {
				freed = Saturating.add(freed, external);
				externalCounted = true;
				if (freed >= excess) {
					return Math.max(0, Saturating.subtract(this.externalUntil, at));
				}
			}
			freed = Saturating.add(freed, entry.amount);
			if (freed >= excess) {
				return Math.max(0, Saturating.subtract(expiry, at));
			}
		}
		return externalCounted ? 0 : Math.max(0, Saturating.subtract(this.externalUntil, at));
	}

	/**
	 * Admits {@code cost} at {@code now}, or at the last instant booked ahead if that is
	 * later. The caller has checked that {@link #nanosUntilAvailable} is 0 (or, booking
	 * ahead, that {@code now} is the instant it named).
	 * @return the entry to settle later
	 */
	public Entry consume(long cost, long now) {
		long units = Math.max(0, cost);
		long at = bookingInstant(now);
		expire(at);
		advancePacing(units, at);
		return append(units, at);
	}

	/**
	 * Corrects an earlier admission from {@code admitted} to {@code actual} units. The
	 * actual figure is clamped to {@code [0, admitted + amount]}: one settlement adds at
	 * most one limit of debt (rule R2), and the window's sum never exceeds twice the
	 * amount, so no reported usage can lock the limit beyond a bounded horizon.
	 * @param entry what {@link #consume} returned
	 */
	public void settle(Entry entry, long admitted, long actual, long now) {
		long reserved = Math.max(0, admitted);
		long real = Saturating.clamp(actual, 0, Saturating.add(reserved, this.amount));
		long delta = real - reserved;
		if (delta == 0) {
			return;
		}
		long at = bookingInstant(now);
		expire(at);
		if (delta < 0) {
			if (entry.live) {
				// the call's units are older than any debt added to its bucket since, so
				// the cap dropped them
				// first: the refund takes back what was dropped before what is kept,
				// never another call's debt
				long fromDropped = Math.min(-delta, entry.dropped);
				entry.dropped -= fromDropped;
				long refund = Math.min(-delta - fromDropped, entry.amount);
				entry.amount -= refund;
				this.windowSum -= refund;
			}
			if (this.started) {
				this.tat = Math.max(at, Saturating.subtract(this.tat, intervalFloor(-delta, at)));
			}
		}
		else {
			if (entry.live) {
				entry.amount = Saturating.add(entry.amount, delta);
				this.windowSum = Saturating.add(this.windowSum, delta);
				capSum();
			}
			else {
				append(delta, at);
			}
			advancePacing(delta, at);
		}
	}

	/**
	 * Records that the provider reports only {@code remaining} units left until
	 * {@code now + resetNanos}: when that is less than we believe by more than 2% of the
	 * limit, the difference is held back until then (capped at one period). Never raises
	 * what we believe. {@code remaining} is clamped to {@code [0, amount]}; a reset that
	 * is not in the future is ignored.
	 */
	public void reportRemaining(long remaining, long resetNanos, long now) {
		if (resetNanos <= 0) {
			return;
		}
		long reported = Saturating.clamp(remaining, 0, this.amount);
		long at = bookingInstant(now);
		expire(at);
		long external = (at < this.externalUntil) ? this.externalAmount : 0;
		long believed = Saturating.subtract(Saturating.subtract(this.amount, this.windowSum), external);
		long shortfall = Saturating.subtract(believed, reported);
		if (shortfall <= this.amount / REPORT_TOLERANCE_DIVISOR) {
			// within 2% of the limit: the provider's figure is a moment older than ours
			// (entries that left our
			// window since it answered, rounding such as Anthropic's nearest 1,000); not
			// worth holding back
			return;
		}
		long until = Saturating.add(now, Math.min(resetNanos, this.periodNanos));
		this.externalAmount = external + shortfall;
		this.externalUntil = Math.max(until, (external > 0) ? this.externalUntil : until);
	}

	/**
	 * Like {@link #reportRemaining(long, long, long)} with the reset as a duration, which
	 * may be absurdly long (a reset header of year 9999): it is capped at one period,
	 * never converted with overflow.
	 */
	public void reportRemaining(long remaining, Duration reset, long now) {
		reportRemaining(remaining, Saturating.toNanos(reset), now);
	}

	/** Units still available in the trailing window now (ignoring pacing). */
	public long available(long now) {
		long at = bookingInstant(now);
		expire(at);
		long external = (at < this.externalUntil) ? this.externalAmount : 0;
		long held = Math.max(external, reservedUnits(at));
		return Saturating.clamp(Saturating.subtract(Saturating.subtract(this.amount, this.windowSum), held), 0,
				this.amount);
	}

	/**
	 * Units held back now for what the provider reported others spent (see
	 * {@link #reportRemaining(long, long, long)}), 0 when none.
	 */
	public long external(long now) {
		return (bookingInstant(now) < this.externalUntil) ? this.externalAmount : 0;
	}

	/** Units admitted in the trailing window ending now. */
	public long used(long now) {
		expire(bookingInstant(now));
		return this.windowSum;
	}

	/**
	 * Whether nothing admitted is still in the window and pacing has caught up: the state
	 * is as good as new.
	 */
	public boolean isIdle(long now) {
		expire(bookingInstant(now));
		return this.entries.isEmpty() && (!this.started || this.tat <= now) && now >= this.externalUntil
				&& now >= this.reserveUntil;
	}

	/**
	 * The instant a new admission is booked at: {@code now}, or the latest instant
	 * already booked if that is later. Admissions are booked in order, so the window can
	 * be expired as of this instant: no later booking is ever checked against an earlier
	 * one.
	 */
	private long bookingInstant(long now) {
		Entry last = this.entries.peekLast();
		return (last != null && last.time > now) ? last.time : now;
	}

	private Entry append(long units, long at) {
		Entry last = this.entries.peekLast();
		if (last != null && Saturating.subtract(at, last.first) < this.granularityNanos) {
			last.time = at;
			last.amount = Saturating.add(last.amount, units);
		}
		else {
			last = new Entry(at, units);
			this.entries.addLast(last);
		}
		this.windowSum = Saturating.add(this.windowSum, units);
		capSum();
		return last;
	}

	/**
	 * Caps the window's sum at twice the amount by keeping only the newest units (rule
	 * R2). The decisions stay those of an unbounded window: a cost fits only once what
	 * remains after the oldest entries leave is at most {@code amount - 1}, less than the
	 * newest {@code 2 x amount} units kept, so dropping older units never changes when
	 * that happens. Each bucket counts what it dropped, so that a refund of a call in it
	 * takes back the dropped units first (they were the call's, the oldest of the bucket)
	 * and never a debt added to the bucket since.
	 */
	private void capSum() {
		if (this.windowSum > this.maxSum) {
			recap();
		}
	}

	/**
	 * Keeps the newest {@code 2 x amount} units of what was admitted and not refunded
	 * (kept and dropped alike), and counts the rest as dropped.
	 */
	private void recap() {
		long keep = this.maxSum;
		long sum = 0;
		Iterator<Entry> newestFirst = this.entries.descendingIterator();
		while (newestFirst.hasNext()) {
			Entry entry = newestFirst.next();
			long admitted = Saturating.add(entry.amount, entry.dropped);
			long kept = Math.min(admitted, keep);
			entry.dropped = admitted - kept;
			entry.amount = kept;
			keep -= kept;
			sum += kept;
		}
		this.windowSum = sum;
	}

	private void advancePacing(long units, long at) {
		long from = this.started ? Math.max(this.tat, at) : at;
		this.tat = Math.min(Saturating.add(from, interval(units, at)), horizon(at));
		this.started = true;
	}

	/** The farthest the pacing may run ahead of {@code now}: two periods. */
	private long horizon(long now) {
		return Saturating.add(now, this.maxAheadNanos);
	}

	private void expire(long now) {
		// an entry has left the window when entry.time + period <= now
		long cutoff = Saturating.subtract(now, this.periodNanos);
		Entry entry;
		while ((entry = this.entries.peekFirst()) != null && entry.time <= cutoff) {
			this.windowSum -= entry.amount;
			entry.amount = 0;
			entry.live = false;
			this.entries.pollFirst();
		}
	}

	private long interval(long cost, long at) {
		return Saturating.ceil((double) cost * this.periodNanos / pacedAmount(at));
	}

	private long intervalFloor(long cost, long at) {
		return Saturating.floor((double) cost * this.periodNanos / pacedAmount(at));
	}

	/** The amount the pacing runs at: what the neighbour's share leaves, at least 1. */
	private long pacedAmount(long at) {
		return Math.max(1, this.amount - reservedUnits(at));
	}

	/** Units of the amount reserved for the neighbour at {@code at}. */
	private long reservedUnits(long at) {
		if (this.reservePpm == 0 || at >= this.reserveUntil) {
			return 0;
		}
		// floor(amount x ppm / 10^6) without overflow; at most 0.9 x amount
		return Math.min(this.amount, Saturating.add(Saturating.multiply(this.amount / 1_000_000, this.reservePpm),
				Saturating.multiply(this.amount % 1_000_000, this.reservePpm) / 1_000_000));
	}

	/**
	 * Reserves {@code ppm} parts per million of the amount for unseen clients sharing the
	 * key until {@code now + forNanos}: admissions are paced at what it leaves and the
	 * window holds it back (see the class comment). The share is clamped to
	 * {@code [0, MAX_RESERVE_PPM]} and the duration to {@code [0, 2 periods]}, whatever
	 * the caller passes (rule R2); 0 ends a reservation. Keeps what was admitted and the
	 * pacing already owed.
	 */
	public void reserve(long ppm, long forNanos, long now) {
		long clamped = Saturating.clamp(ppm, 0, MAX_RESERVE_PPM);
		long duration = Saturating.clamp(forNanos, 0, this.maxAheadNanos);
		if (clamped == 0 || duration == 0) {
			this.reservePpm = 0;
			this.reserveUntil = 0;
			return;
		}
		this.reservePpm = clamped;
		this.reserveUntil = Saturating.add(now, duration);
	}

	/** The share reserved for neighbours at {@code now}, in parts per million. */
	public long reservePpm(long now) {
		return (now < this.reserveUntil) ? this.reservePpm : 0;
	}

	/**
	 * One bucket of admissions; opaque to callers, who hand it back to {@link #settle}.
	 */
	public static final class Entry {

		final long first;

		long time;

		long amount;

		/**
		 * Units of this bucket the cap dropped (its oldest): refunds take these back
		 * first.
		 */
		long dropped;

		boolean live = true;

		Entry(long time, long amount) {
			this.first = time;
			this.time = time;
			this.amount = amount;
		}

	}

}
