package dev.llmthrottle.core.admission;

import java.time.Duration;

/**
 * Learns the amount of one {@code auto} limit from the provider's refusals alone, for
 * providers that send no rate-limit headers (DeepSeek, self-hosted vLLM/TGI gateways,
 * many proxies): additive increase while calls succeed, multiplicative decrease on each
 * 429, converging near the provider's sustainable rate. The 429's hint stays the
 * partition's cooldown; here it also bounds which refusals count.
 *
 * <h2>The algorithm</h2> In the manner of TCP's congestion control, with the rate of
 * successes standing for acknowledgements and the provider's hint for the round trip:
 * <ol>
 * <li><b>Start</b> (slow start): from the provisional amount, every success adds a fixed
 * number of units, so that the rate doubles about every {@value #START_DOUBLING_SECONDS}
 * seconds while every call succeeds, whatever the limit's period.</li>
 * <li><b>A refusal</b> (multiplicative decrease): the amount refused becomes the
 * <em>ceiling</em>, nine tenths of it the <em>threshold</em>, and the amount falls to the
 * rate the provider admitted since the previous refusal (or the start), but no lower than
 * seven tenths and no higher than nine tenths of the refused amount. While calls succeed,
 * the provider admits what we send, so that rate is ours and the decrease is the plain
 * nine tenths; when refusals follow each other, what it admits in between is its real
 * capacity whatever its enforcement (a token bucket refills at its rate, a window admits
 * what leaves it), so an overshoot of the start (a bursting provider refuses only once
 * its burst is spent) is undone in a few refusals, not a tenth at a time. Refusals and
 * successes before the hint has passed answer calls sent before the decrease: they teach
 * nothing, and nothing grows meanwhile (the hint stays the partition's cooldown).</li>
 * <li><b>Between refusals</b> (additive increase): below the threshold the amount grows
 * as in the start, but by at most a sixteenth per success; from there each success adds a
 * step that climbs back to the ceiling over {@value #RECOVERY_SUCCESSES} successes; at or
 * above the ceiling the step is {@value #PROBE_DIVISOR} times smaller, so the increase is
 * capped near the amount the provider refused instead of oscillating into refusals. A
 * ceiling not refused again within {@value #RECOVERY_SUCCESSES} successes above it may be
 * stale (a raised limit, a neighbour gone, a congestion over): threshold and ceiling then
 * double, and the amount grows as in the start up to them.</li>
 * </ol>
 * The amount stays within {@code [1, max]} ({@code max} ten thousand units a second); a
 * hint is capped at one period, and all arithmetic is in doubles clamped to those bounds,
 * so no reported value can push the state beyond them (rule R2). As soon as the provider
 * states the limit in headers, the partition stops this learner for good: a stated limit
 * beats a guessed one.
 *
 * <p>
 * Not thread-safe: its {@link Partition} serialises access.
 */
final class RefusalRateLearner {

	/** Seconds over which the rate doubles while nothing is refused yet. */
	static final double START_DOUBLING_SECONDS = 1.5;

	/** The share of the refused amount kept after a refusal. */
	static final double DECREASE = 0.9;

	/** The least share kept after a refusal while the provider is still refusing. */
	static final double HARD_DECREASE = 0.7;

	/**
	 * Successes over which the amount climbs back from a decrease to the ceiling; fewer
	 * successes between two refusals mean the provider is still congested.
	 */
	static final int RECOVERY_SUCCESSES = 100;

	/**
	 * After a refusal, growth below the threshold adds at most amount / this per success.
	 */
	static final double REGROWTH_DIVISOR = 16;

	/** How much slower the amount grows at or above the ceiling. */
	static final double PROBE_DIVISOR = 8;

	/** The shortest interval a rate is measured over after a refusal. */
	static final long MIN_MEASURE_NANOS = 100_000_000L;

	/** The largest rate learned, per second. */
	static final double MAX_PER_SECOND = 10_000;

	private final Duration period;

	private final long periodNanos;

	private final double startStep;

	private final double max;

	private double amount;

	private double ceiling = Double.NaN;

	/** Below this amount the learner grows as in its start; +infinity until a refusal. */
	private double threshold = Double.POSITIVE_INFINITY;

	private long holdUntil;

	private boolean holding;

	private boolean measuring;

	private long measuredSince;

	private long successesSince;

	private long successesAbove;

	private long refusals;

	private boolean stopped;

	/**
	 * @param provisional the amount to start from, per {@code period}
	 * @param period the limit's period
	 */
	RefusalRateLearner(long provisional, Duration period) {
		this.period = period;
		this.periodNanos = Math.max(1, saturatedNanos(period));
		double periodSeconds = this.periodNanos / 1e9;
		this.max = Math.max(1, Math.min(MAX_PER_SECOND * periodSeconds, 1e15));
		this.amount = clamp(provisional);
		// every success adds startStep: the rate r = amount / period grows by startStep /
		// period per call, i.e. by r x startStep / period per second: doubling in
		// START_DOUBLING_SECONDS takes startStep = period x ln 2 / START_DOUBLING_SECONDS
		this.startStep = periodSeconds * Math.log(2) / START_DOUBLING_SECONDS;
	}

	/** The period of the limit this learner sets. */
	Duration period() {
		return this.period;
	}

	/** The amount to enforce now (at least 1). */
	long amount() {
		return (long) Math.max(1, Math.floor(this.amount));
	}

	/** The amount last refused, or 0 before any refusal. */
	long ceiling() {
		return Double.isNaN(this.ceiling) ? 0 : (long) Math.floor(this.ceiling);
	}

	/** The refusals that lowered the amount. */
	long refusals() {
		return this.refusals;
	}

	/** Whether the learner still sets the amount (no header has stated it yet). */
	boolean active() {
		return !this.stopped;
	}

	/** Whether the learner is still in its start (nothing refused yet). */
	boolean starting() {
		return this.refusals == 0;
	}

	/** Stops for good: the provider stated the limit. */
	void stop() {
		this.stopped = true;
	}

	/**
	 * A call admitted under this limit succeeded.
	 * @return the amount to enforce now
	 */
	long onSuccess(long now) {
		if (this.stopped) {
			return amount();
		}
		begin(now);
		this.successesSince++;
		if (this.holding && now - this.holdUntil < 0) {
			return amount();
		}
		this.holding = false;
		if (this.amount < this.threshold) {
			// after a refusal, at most a sixteenth per success: at a low rate the start's
			// step would outgrow every decrease between two refusals
			double step = (this.refusals == 0) ? this.startStep
					: Math.min(this.startStep, this.amount / REGROWTH_DIVISOR);
			this.amount = clamp(this.amount + step);
		}
		else if (this.amount >= this.ceiling && ++this.successesAbove > RECOVERY_SUCCESSES) {
			// not refused again well above the amount once refused: that ceiling may
			// have
			// raised (a raised limit, a neighbour gone, a congestion now over): grow
			// as in the start again, up to twice that ceiling
			this.threshold = Math.min(this.ceiling * 2, this.max);
			this.ceiling = this.threshold;
			this.successesAbove = 0;
		}
		else {
			double step = Math.max(this.ceiling * (1 - DECREASE) / RECOVERY_SUCCESSES, 1e-6);
			this.amount = clamp(this.amount + ((this.amount < this.ceiling) ? step : step / PROBE_DIVISOR));
		}
		return amount();
	}

	/**
	 * The provider refused a call for its rate (429).
	 * @param hintNanos the provider's wait hint (the cooldown), 0 when none
	 * @return the amount to enforce now
	 */
	long onRefusal(long now, long hintNanos) {
		if (this.stopped) {
			return amount();
		}
		begin(now);
		if (this.holding && now - this.holdUntil < 0) {
			// answers a call sent before the last decrease
			return amount();
		}
		double refused = this.amount;
		double elapsed = Math.max(now - this.measuredSince, MIN_MEASURE_NANOS);
		double admitted = this.successesSince * (this.periodNanos / elapsed);
		this.ceiling = refused;
		this.threshold = refused * DECREASE;
		this.amount = clamp(Math.min(refused * DECREASE, Math.max(admitted, refused * HARD_DECREASE)));
		this.refusals++;
		this.measuredSince = now;
		this.successesSince = 0;
		this.successesAbove = 0;
		long hint = Math.min(Math.max(0, hintNanos), this.periodNanos);
		this.holdUntil = LocalPartitionState.saturatingAdd(now, hint);
		this.holding = hint > 0;
		return amount();
	}

	private void begin(long now) {
		if (!this.measuring) {
			this.measuring = true;
			this.measuredSince = now;
		}
	}

	private double clamp(double value) {
		if (Double.isNaN(value)) {
			return 1;
		}
		return Math.max(1, Math.min(value, this.max));
	}

	private static long saturatedNanos(Duration duration) {
		if (duration.isNegative()) {
			return 0;
		}
		if (duration.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) {
			return Long.MAX_VALUE;
		}
		return duration.toNanos();
	}

}
