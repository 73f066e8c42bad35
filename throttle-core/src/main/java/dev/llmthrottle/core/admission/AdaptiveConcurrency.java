package dev.llmthrottle.core.admission;

/**
 * {@code max-concurrent: auto} for one partition: how many calls may be in flight at
 * once, sized from the request rate and the observed latency and lowered by the
 * provider's overload answers. Guarded by the partition's lock; never waits.
 *
 * <p>
 * The limit is the smallest of three figures:
 * <ul>
 * <li><b>need</b> (Little's law): in flight = rate x latency. With a request rate known
 * (the lowest {@code requests} limit in force, configured or learned), the need is
 * {@code ceil(rate x latency x 1.25)}: more in flight cannot send faster than the rate
 * allows, fewer cannot keep up with it. The latency is the smoothed time a call holds its
 * slot (admission to release, so a stream counts until its last event). Before the first
 * latency is measured, and when no request rate is known, the need is a figure that grows
 * by one every {@code limit} successful calls made while the limit was binding (additive
 * increase, about one per round trip), starting at {@value #START}.</li>
 * <li><b>ceiling</b>: set by overload answers (a concurrency 429, 529, 503). A refusal
 * received with {@code n} calls in flight (itself included) shows that the provider
 * accepts at most {@code n - 1}: the ceiling falls to that, and at least by a tenth of
 * the limit (multiplicative decrease; {@code n} is counted when the refused call was
 * sent, which is what the provider saw); further refusals within one latency of the first
 * belong to the same episode and only apply the {@code n - 1} rule. Above a ceiling the
 * limit probes by one after {@value #PROBE_BASE} binding successes; a probe that draws a
 * refusal doubles that interval (up to {@value #PROBE_MAX}), one that does not halves it
 * again, so a provider's fixed cap costs a refusal now and then, not one per round trip.
 * A level that served {@value #GOOD_AFTER} binding successes without a refusal is
 * <i>known good</i>: after a refusal below it (a provider's books lag its answers, a
 * neighbour's burst) the limit climbs back to it by one per {@code limit} binding
 * successes, about one round trip each; a refusal met on the way back shows the level is
 * no longer good and stops the climb there.</li>
 * <li><b>bound</b>: the configured number, never exceeded.</li>
 * </ul>
 * Rate-limit refusals and failures say nothing about concurrency and are not samples.
 */
final class AdaptiveConcurrency {

	/** The limit before anything is measured, and the start of additive growth. */
	static final int START = 4;

	/** Little's law margin over rate x latency, for latency spread. */
	static final double HEADROOM = 1.25;

	/** Weight of a new latency sample in the smoothed latency. */
	static final double ALPHA = 0.1;

	/** Multiplicative decrease on a new overload episode. */
	static final double DECREASE = 0.9;

	/** Binding successes before probing above a ceiling, at first. */
	static final int PROBE_BASE = 100;

	/** The longest probe interval, in binding successes. */
	static final int PROBE_MAX = 6400;

	/** Binding successes without a refusal that make a level known good. */
	static final int GOOD_AFTER = 50;

	/** A need larger than any sensible cap; keeps the arithmetic in range. */
	static final int MAX_LIMIT = 100_000;

	private final int bound;

	/** Smoothed slot-holding time, nanoseconds; 0 until measured. */
	private double latencyNanos;

	private int ceiling = MAX_LIMIT;

	private int grown = START;

	private int growthCount;

	private int probeEvery = PROBE_BASE;

	private int probeCount;

	/** Whether the ceiling was raised by a probe and no refusal came since. */
	private boolean probing;

	/**
	 * Whether the ceiling was raised back towards a known-good level less than a round
	 * trip ago.
	 */
	private boolean climbing;

	/** The highest level known good, 0 for none. */
	private int goodLevel;

	/** Binding successes since the last refusal. */
	private int sinceRefusal;

	private long episodeUntil;

	private boolean episode;

	private double ratePerSecond;

	private int limit;

	/**
	 * @param bound the configured upper bound, 0 for none
	 */
	AdaptiveConcurrency(int bound) {
		this.bound = (bound > 0) ? Math.min(bound, MAX_LIMIT) : MAX_LIMIT;
		recompute();
	}

	/** The limit in force. */
	int limit() {
		return this.limit;
	}

	/** The configured bound, or 0 for none. */
	int bound() {
		return (this.bound == MAX_LIMIT) ? 0 : this.bound;
	}

	/** The smoothed latency in nanoseconds, 0 until measured. */
	long latencyNanos() {
		return (long) this.latencyNanos;
	}

	/** The ceiling learned from overload answers, or 0 when none was. */
	int ceiling() {
		return (this.ceiling == MAX_LIMIT) ? 0 : this.ceiling;
	}

	/**
	 * Sets the request rate (requests per second, 0 or less when none is known) for
	 * Little's law.
	 */
	void rate(double requestsPerSecond) {
		double rate = (Double.isFinite(requestsPerSecond) && requestsPerSecond > 0) ? requestsPerSecond : 0;
		if (rate != this.ratePerSecond) {
			this.ratePerSecond = rate;
			recompute();
		}
	}

	/**
	 * A call that held its slot for {@code rttNanos} was answered.
	 * @param inFlight calls in flight when it came back, itself included
	 */
	void succeeded(long rttNanos, int inFlight) {
		double rtt = Math.max(0, rttNanos);
		this.latencyNanos = (this.latencyNanos == 0) ? Math.max(1, rtt)
				: this.latencyNanos + ALPHA * (rtt - this.latencyNanos);
		if (inFlight >= this.limit) {
			bindingSuccess();
		}
		recompute();
	}

	/**
	 * The provider refused a call for overload (concurrency 429, 529, 503).
	 * @param inFlight calls in flight when the refused call was sent, itself included
	 * @param now the time source's nanoseconds
	 */
	void overloaded(int inFlight, long now) {
		int shown = Math.max(1, inFlight - 1);
		if (this.episode && now - this.episodeUntil < 0) {
			this.ceiling = Math.min(this.ceiling, shown);
		}
		else {
			int decreased = Math.max(1, (int) Math.floor(this.limit * DECREASE));
			this.ceiling = Math.max(1, Math.min(shown, Math.min(decreased, this.ceiling)));
			long horizon = (this.latencyNanos > 0) ? (long) Math.min(this.latencyNanos, 60e9) : 1_000_000_000L;
			this.episodeUntil = now + horizon;
			this.episode = true;
		}
		if (this.climbing) {
			// refused again on the way back to a known-good level: it is good no more
			this.goodLevel = this.ceiling;
		}
		else if (this.probing) {
			this.probeEvery = Math.min(PROBE_MAX, this.probeEvery * 2);
		}
		this.probing = false;
		this.climbing = false;
		this.probeCount = 0;
		this.sinceRefusal = 0;
		this.grown = Math.min(this.grown, this.ceiling);
		this.growthCount = 0;
		recompute();
	}

	private void bindingSuccess() {
		if (++this.sinceRefusal >= GOOD_AFTER && this.limit > this.goodLevel) {
			this.goodLevel = this.limit;
		}
		int target = target();
		if (this.ceiling < target && this.limit >= this.ceiling) {
			boolean climbingBack = this.ceiling < this.goodLevel;
			if (++this.probeCount >= this.ceiling) {
				// a round trip's worth at this level without a refusal
				this.climbing = false;
			}
			if (this.probeCount >= (climbingBack ? this.ceiling : this.probeEvery)) {
				if (this.probing && !climbingBack) {
					this.probeEvery = Math.max(PROBE_BASE, this.probeEvery / 2);
				}
				this.ceiling++;
				this.probeCount = 0;
				this.probing = !climbingBack;
				this.climbing = climbingBack;
			}
		}
		else if (usesGrowth() && this.grown < this.ceiling && this.limit >= this.grown) {
			if (++this.growthCount >= this.grown) {
				this.grown = Math.min(MAX_LIMIT, this.grown + 1);
				this.growthCount = 0;
			}
		}
	}

	private boolean usesGrowth() {
		return this.ratePerSecond <= 0 || this.latencyNanos == 0;
	}

	/** The need before the ceiling and the bound. */
	private int target() {
		if (usesGrowth()) {
			return this.grown;
		}
		double need = Math.ceil(this.ratePerSecond * this.latencyNanos / 1e9 * HEADROOM);
		return (need >= MAX_LIMIT) ? MAX_LIMIT : Math.max(1, (int) need);
	}

	private void recompute() {
		this.limit = Math.max(1, Math.min(this.bound, Math.min(this.ceiling, target())));
	}

	@Override
	public String toString() {
		return "AdaptiveConcurrency{limit=" + this.limit + ", ceiling=" + ceiling() + ", bound=" + bound()
				+ ", latency=" + latencyNanos() / 1_000_000 + " ms, rate=" + this.ratePerSecond + "/s}";
	}

}
