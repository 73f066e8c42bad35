package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.RequestTooLargeException;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.rate.GuardMargin;
import dev.llmthrottle.core.rate.PacedRateLimiter;
import dev.llmthrottle.core.rate.PacedWindow;
import io.github.resilience4j.bulkhead.Bulkhead;

/**
 * A partition's state in this JVM: a Resilience4j {@link Bulkhead} for concurrency
 * ({@link PartitionBulkhead}), one {@link PacedRateLimiter} per limit and the provider's
 * cooldown. Every method runs under the partition's lock, which the rate limiters share,
 * so an admission reads and takes all of them atomically.
 */
final class LocalPartitionState implements PartitionState {

	private final String provider;

	private final TimeSource time;

	private final ReentrantLock lock;

	private ThrottlePolicy policy;

	private PacedRateLimiter[] limiters;

	private final PartitionBulkhead slots;

	private long cooldownUntil;

	private String cooldownReason;

	private final GuardMargin margin = new GuardMargin();

	private long appliedGuardPpm = PacedWindow.BASE_GUARD_PPM;

	/**
	 * The share of each limit unseen clients sharing the key hold, by limiter (by
	 * identity: a limiter kept across a policy change or a learned amount keeps it).
	 */
	private Map<PacedRateLimiter, NeighbourShare> neighbours = new IdentityHashMap<>();

	private final boolean anticipateNeighbours;

	LocalPartitionState(ThrottlePolicy policy, String partitionKey, ReentrantLock lock, TimeSource time) {
		this(policy, partitionKey, lock, time, true);
	}

	/**
	 * @param anticipateNeighbours whether to reserve the share of each limit unseen
	 * clients are seen to hold (the Redis script does not)
	 */
	LocalPartitionState(ThrottlePolicy policy, String partitionKey, ReentrantLock lock, TimeSource time,
			boolean anticipateNeighbours) {
		this.anticipateNeighbours = anticipateNeighbours;
		this.provider = policy.provider();
		this.time = time;
		this.lock = lock;
		this.cooldownUntil = time.nanoTime();
		this.slots = new PartitionBulkhead(this.provider, policy.maxConcurrent(), lock,
				Map.of("provider", this.provider));
		apply(policy);
	}

	@Override
	public boolean remote() {
		return false;
	}

	@Override
	public Attempt tryAdmit(Cost cost) {
		long now = this.time.nanoTime();
		applyGuard(now);
		long wait = Math.max(0, this.cooldownUntil - now);
		for (PacedRateLimiter limiter : this.limiters) {
			PacedWindow window = limiter.window();
			long amount = cost.amount(window.limit().dimension());
			long limiterWait = window.nanosUntilAvailable(amount, now);
			if (limiterWait == PacedWindow.NEVER) {
				throw new RequestTooLargeException(this.provider, window.limit(), amount);
			}
			wait = Math.max(wait, limiterWait);
		}
		if (wait > 0) {
			return Attempt.waitFor(wait);
		}
		if (!this.slots.tryTake()) {
			return Attempt.waitFor(Attempt.UNTIL_RELEASE);
		}
		PacedRateLimiter[] current = this.limiters;
		PacedWindow.Entry[] entries = new PacedWindow.Entry[current.length];
		for (int i = 0; i < current.length; i++) {
			PacedWindow window = current[i].window();
			long amount = cost.amount(window.limit().dimension());
			if (amount > 0) {
				entries[i] = window.consume(amount, now);
				current[i].publishAdmitted(amount);
			}
		}
		return Attempt.admitted(new Grant(current, entries));
	}

	@Override
	public void release(Object grant, Cost estimate, Cost actual, boolean sent) {
		Grant taken = (Grant) grant;
		long now = this.time.nanoTime();
		this.slots.complete();
		for (int i = 0; i < taken.limiters.length; i++) {
			PacedWindow window = taken.limiters[i].window();
			Dimension dimension = window.limit().dimension();
			long admitted = estimate.amount(dimension);
			long real = (actual == null || (sent && dimension == Dimension.REQUESTS)) ? admitted
					: settled(admitted, actual.amount(dimension), window.limit().amount());
			PacedWindow.Entry entry = taken.entries[i];
			if (entry != null) {
				window.settle(entry, admitted, real, now);
			}
			else if (real > 0) {
				window.settle(window.consume(0, now), 0, real, now);
			}
		}
	}

	@Override
	public void checkFits(Cost cost) {
		for (PacedRateLimiter limiter : this.limiters) {
			Limit limit = limiter.window().limit();
			long amount = cost.amount(limit.dimension());
			if (amount > limit.amount()) {
				throw new RequestTooLargeException(this.provider, limit, amount);
			}
		}
	}

	@Override
	public Projection project(Cost ahead, Cost cost) {
		return project(null, ahead, cost);
	}

	/**
	 * A true lower bound, assuming nothing admitted is refunded: this call goes no
	 * earlier than it could alone, and no earlier than pacing lets it follow everyone
	 * ahead. The queue's head goes no earlier than it could alone ({@code h}); each
	 * admission moves the theoretical arrival time on by its cost at the steady rate, so
	 * after the {@code A} units ahead it is at least {@code h + A x T}, and this call may
	 * go a burst before that. The waiters ahead admitted at once within the burst
	 * therefore cost nothing here.
	 */
	@Override
	public Projection project(Cost head, Cost ahead, Cost cost) {
		long now = this.time.nanoTime();
		applyGuard(now);
		long projected = Math.max(0, this.cooldownUntil - now);
		String blockedBy = (projected > 0) ? "cooldown" : "concurrency";
		for (PacedRateLimiter limiter : this.limiters) {
			PacedWindow window = limiter.window();
			Limit limit = window.limit();
			Dimension dimension = limit.dimension();
			long candidate = window.nanosUntilAvailable(cost.amount(dimension), now);
			long aheadAmount = ahead.amount(dimension);
			if (candidate != PacedWindow.NEVER && head != null && aheadAmount > 0) {
				long headWait = window.nanosUntilAvailable(head.amount(dimension), now);
				if (headWait == PacedWindow.NEVER) {
					headWait = 0;
				}
				double paced = Math.floor((double) aheadAmount * limit.periodNanos() / limit.amount());
				long pacedNanos = (paced >= Long.MAX_VALUE) ? Long.MAX_VALUE : (long) paced;
				long viaPacing = saturatingAdd(headWait, pacedNanos) - this.policy.burstFor(limit).toNanos();
				candidate = Math.max(candidate, viaPacing);
			}
			if (candidate > projected) {
				projected = candidate;
				blockedBy = limit.toString();
			}
		}
		return new Projection(projected, blockedBy);
	}

	@Override
	public boolean coolDown(Duration duration, String reason) {
		long nanos = Math.min(saturatedNanos(duration), cooldownHorizonNanos(this.policy));
		if (nanos <= 0) {
			return false;
		}
		long until = saturatingAdd(this.time.nanoTime(), nanos);
		if (until <= this.cooldownUntil) {
			return false;
		}
		this.cooldownUntil = until;
		this.cooldownReason = reason;
		return true;
	}

	@Override
	public Duration cooldownRemaining() {
		return Duration.ofNanos(Math.max(0, this.cooldownUntil - this.time.nanoTime()));
	}

	@Override
	public String cooldownReason() {
		return (this.cooldownUntil > this.time.nanoTime()) ? this.cooldownReason : null;
	}

	@Override
	public void reportRemaining(Dimension dimension, long remaining, Duration reset, long statedFigure) {
		// a reset far in the future (9999-12-31, 99999999999 s) is held for one period at
		// most, never overflows
		long resetNanos = saturatedNanos(reset);
		if (remaining < 0 || resetNanos <= 0) {
			return;
		}
		long now = this.time.nanoTime();
		for (PacedRateLimiter limiter : this.limiters) {
			PacedWindow window = limiter.window();
			Limit limit = window.limit();
			if (limit.dimension() == dimension && this.policy.reportConcerns(limit, statedFigure)) {
				// the neighbour's share, judged against the whole amount, is reserved in
				// the window ahead; the amount (what makes a call too large) and the
				// external
				// reservation below stay as they are
				if (this.anticipateNeighbours) {
					NeighbourShare neighbour = this.neighbours.computeIfAbsent(limiter,
							(key) -> new NeighbourShare(limit.amount()));
					neighbour.base(limit.amount());
					neighbour.observe(window.used(now), remaining, limit.periodNanos(), now);
					window.reserve(neighbour.reservedPpm(limit.periodNanos(), now),
							neighbour.heldForNanos(limit.periodNanos(), now), now);
				}
				window.reportRemaining(Math.min(remaining, limit.amount()), Math.min(resetNanos, limit.periodNanos()),
						now);
			}
		}
	}

	@Override
	public boolean refusedWithRoom() {
		long now = this.time.nanoTime();
		for (PacedRateLimiter limiter : this.limiters) {
			PacedWindow window = limiter.window();
			Limit limit = window.limit();
			// explained: a provisional limit, units held back for others, or a window in
			// debt
			if (this.policy.isAuto(limit.dimension(), limit.period()) || window.external(now) > 0
					|| window.reservePpm(now) > 0 || window.used(now) > limit.amount()) {
				return false;
			}
		}
		boolean widened = this.margin.widen(now);
		applyGuard(now);
		return widened;
	}

	@Override
	public long guardPpm() {
		return this.margin.ppm(this.time.nanoTime());
	}

	/**
	 * Stretches every window by the learned guard as it stands at {@code now} (it decays
	 * with time).
	 */
	private void applyGuard(long now) {
		long ppm = this.margin.ppm(now);
		if (ppm != this.appliedGuardPpm) {
			for (PacedRateLimiter limiter : this.limiters) {
				limiter.window().guard(ppm);
			}
			this.appliedGuardPpm = ppm;
		}
	}

	@Override
	public boolean learnLimit(Dimension dimension, long reportedAmount, Duration window) {
		if (reportedAmount < 1 || this.policy.isFigureOfAnotherLimit(dimension, reportedAmount, window)) {
			return false;
		}
		for (Limit configured : this.policy.limits()) {
			if (configured.dimension() != dimension || !configured.period().equals(window)) {
				continue;
			}
			boolean auto = this.policy.isAuto(dimension, window);
			long target = auto ? reportedAmount : Math.min(configured.amount(), reportedAmount);
			for (PacedRateLimiter limiter : this.limiters) {
				Limit current = limiter.window().limit();
				if (current.dimension() == dimension && current.period().equals(window) && current.amount() != target) {
					Limit learned = Limit.of(dimension, target, window);
					limiter.window().relearn(learned, this.policy.burstFor(learned).toNanos(), this.time.nanoTime());
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * What a settlement may charge (rule R2): the reported usage clamped to
	 * {@code [0, estimate + amount]}, so that no usage a provider reports, however
	 * absurd, adds more than one limit of debt, wraps a sum or overflows the pacing.
	 */
	static long settled(long estimate, long actual, long limitAmount) {
		return Math.max(0, Math.min(actual, saturatingAdd(Math.max(0, estimate), limitAmount)));
	}

	@Override
	public void charge(Cost extra) {
		long now = this.time.nanoTime();
		for (PacedRateLimiter limiter : this.limiters) {
			PacedWindow window = limiter.window();
			// counted after the fact on an estimate of 0: at most one limit of debt (R2)
			long amount = settled(0, extra.amount(window.limit().dimension()), window.limit().amount());
			if (amount > 0) {
				window.settle(window.consume(0, now), 0, amount, now);
			}
		}
	}

	@Override
	public long tryCharge(Cost extra) {
		long now = this.time.nanoTime();
		applyGuard(now);
		long wait = Math.max(0, this.cooldownUntil - now);
		for (PacedRateLimiter limiter : this.limiters) {
			PacedWindow window = limiter.window();
			long limiterWait = window.nanosUntilAvailable(extra.amount(window.limit().dimension()), now);
			if (limiterWait == PacedWindow.NEVER) {
				throw new RequestTooLargeException(this.provider, window.limit(),
						extra.amount(window.limit().dimension()));
			}
			wait = Math.max(wait, limiterWait);
		}
		if (wait > 0) {
			return wait;
		}
		for (PacedRateLimiter limiter : this.limiters) {
			PacedWindow window = limiter.window();
			long amount = extra.amount(window.limit().dimension());
			if (amount > 0) {
				window.consume(amount, now);
			}
		}
		return 0;
	}

	@Override
	public void apply(ThrottlePolicy newPolicy) {
		PacedRateLimiter[] old = this.limiters;
		List<Limit> limits = newPolicy.limits();
		PacedRateLimiter[] updated = new PacedRateLimiter[limits.size()];
		long now = this.time.nanoTime();
		for (int i = 0; i < updated.length; i++) {
			Limit limit = limits.get(i);
			PacedRateLimiter reused = (old != null) ? find(old, limit) : null;
			Duration burst = newPolicy.burstFor(limit);
			if (reused != null) {
				// the pacing owed is rescaled to the new amount, as learnLimit does: a
				// configured amount applied
				// over a learned one (and learned again) never multiplies it
				reused.window().relearn(limit, burst.toNanos(), now);
				updated[i] = reused;
			}
			else {
				updated[i] = new PacedRateLimiter(this.provider + "-" + limit.dimension().id() + "-" + limit.period(),
						limit, burst, newPolicy.maxWait(), this.time, this.lock,
						Map.of("provider", this.provider, "dimension", limit.dimension().id()));
				updated[i].window().guard(this.appliedGuardPpm);
			}
		}
		this.limiters = updated;
		Map<PacedRateLimiter, NeighbourShare> kept = new IdentityHashMap<>();
		for (PacedRateLimiter limiter : updated) {
			NeighbourShare neighbour = this.neighbours.get(limiter);
			if (neighbour != null) {
				kept.put(limiter, neighbour);
			}
		}
		this.neighbours = kept;
		// never waits: a lower cap holds back new admissions until enough calls in flight
		// have come back
		this.slots.setMax(newPolicy.maxConcurrent());
		this.policy = newPolicy;
	}

	private static PacedRateLimiter find(PacedRateLimiter[] limiters, Limit limit) {
		for (PacedRateLimiter limiter : limiters) {
			Limit existing = limiter.window().limit();
			if (existing.dimension() == limit.dimension() && existing.period().equals(limit.period())) {
				return limiter;
			}
		}
		return null;
	}

	@Override
	public List<PartitionSnapshot.LimitState> limits() {
		long now = this.time.nanoTime();
		List<PartitionSnapshot.LimitState> states = new ArrayList<>(this.limiters.length);
		for (PacedRateLimiter limiter : this.limiters) {
			PacedWindow window = limiter.window();
			states.add(new PartitionSnapshot.LimitState(window.limit(), window.used(now), window.available(now),
					window.reservePpm(now) / 1_000_000.0));
		}
		return states;
	}

	@Override
	public boolean isIdle() {
		long now = this.time.nanoTime();
		if (now < this.cooldownUntil) {
			return false;
		}
		for (PacedRateLimiter limiter : this.limiters) {
			if (!limiter.window().isIdle(now)) {
				return false;
			}
		}
		return true;
	}

	@Override
	public List<PacedRateLimiter> rateLimiters() {
		return List.of(this.limiters);
	}

	@Override
	public Bulkhead bulkhead() {
		return this.slots.isCapped() ? this.slots : null;
	}

	/**
	 * The longest a cooldown may last: a day, or two of the longest period when that is
	 * longer.
	 */
	static long cooldownHorizonNanos(ThrottlePolicy policy) {
		long day = Duration.ofDays(1).toNanos();
		long longest = saturatedNanos(policy.longestPeriod());
		return Math.max(day, saturatingAdd(longest, longest));
	}

	/**
	 * {@code duration} in nanoseconds, 0 when negative, {@link Long#MAX_VALUE} when
	 * longer than that.
	 */
	static long saturatedNanos(Duration duration) {
		if (duration == null || duration.isNegative()) {
			return 0;
		}
		if (duration.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) {
			return Long.MAX_VALUE;
		}
		return duration.toNanos();
	}

	static long saturatingAdd(long a, long b) {
		long sum = a + b;
		if (((a ^ sum) & (b ^ sum)) < 0) {
			return (a < 0) ? Long.MIN_VALUE : Long.MAX_VALUE;
		}
		return sum;
	}

	/**
	 * What one admission took: the limiters' entries, as they were at the time (the slot
	 * is counted apart).
	 */
	private record Grant(PacedRateLimiter[] limiters, PacedWindow.Entry[] entries) {
	}

}
