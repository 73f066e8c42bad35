package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.RequestTooLargeException;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.rate.PacedRateLimiter;
import dev.llmthrottle.core.rate.PacedWindow;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;

/**
 * A partition's state in this JVM: a Resilience4j {@link Bulkhead} for concurrency, one {@link PacedRateLimiter}
 * per limit and the provider's cooldown. Every method runs under the partition's lock, which the rate limiters
 * share, so an admission reads and takes all of them atomically.
 */
final class LocalPartitionState implements PartitionState {

	private static final long TOKEN_BURST_DIVISOR = 10;

	private final String provider;

	private final TimeSource time;

	private final ReentrantLock lock;

	private ThrottlePolicy policy;

	private PacedRateLimiter[] limiters;

	private Bulkhead bulkhead;

	private long cooldownUntil;

	private String cooldownReason;

	LocalPartitionState(ThrottlePolicy policy, String partitionKey, ReentrantLock lock, TimeSource time) {
		this.provider = policy.provider();
		this.time = time;
		this.lock = lock;
		this.cooldownUntil = time.nanoTime();
		apply(policy);
	}

	@Override
	public boolean remote() {
		return false;
	}

	@Override
	public Attempt tryAdmit(Cost cost) {
		long now = this.time.nanoTime();
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
		Bulkhead currentBulkhead = this.bulkhead;
		if (currentBulkhead != null && !currentBulkhead.tryAcquirePermission()) {
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
		return Attempt.admitted(new Grant(current, entries, currentBulkhead));
	}

	@Override
	public void release(Object grant, Cost estimate, Cost actual, boolean sent) {
		Grant taken = (Grant) grant;
		long now = this.time.nanoTime();
		if (taken.bulkhead != null) {
			taken.bulkhead.onComplete();
		}
		for (int i = 0; i < taken.limiters.length; i++) {
			PacedWindow window = taken.limiters[i].window();
			Dimension dimension = window.limit().dimension();
			long admitted = estimate.amount(dimension);
			long real = (actual == null || (sent && dimension == Dimension.REQUESTS)) ? admitted
					: actual.amount(dimension);
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
		long now = this.time.nanoTime();
		long projected = Math.max(0, this.cooldownUntil - now);
		String blockedBy = (projected > 0) ? "cooldown" : "concurrency";
		for (PacedRateLimiter limiter : this.limiters) {
			PacedWindow window = limiter.window();
			Limit limit = window.limit();
			long wait = window.nanosUntilAvailable(cost.amount(limit.dimension()), now);
			long paced = (long) Math.ceil((double) ahead.amount(limit.dimension()) * limit.periodNanos() / limit.amount());
			long candidate = (wait == PacedWindow.NEVER || wait + paced < 0) ? Long.MAX_VALUE : wait + paced;
			if (candidate > projected) {
				projected = candidate;
				blockedBy = limit.toString();
			}
		}
		return new Projection(projected, blockedBy);
	}

	@Override
	public boolean coolDown(Duration duration, String reason) {
		long until = this.time.nanoTime() + duration.toNanos();
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
	public void reportRemaining(Dimension dimension, long remaining, Duration reset) {
		long now = this.time.nanoTime();
		for (PacedRateLimiter limiter : this.limiters) {
			if (limiter.window().limit().dimension() == dimension) {
				limiter.window().reportRemaining(remaining, reset.toNanos(), now);
			}
		}
	}

	@Override
	public boolean learnLimit(Dimension dimension, long reportedAmount, Duration window) {
		if (reportedAmount < 1) {
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
				if (current.dimension() == dimension && current.period().equals(window)
						&& current.amount() != target) {
					limiter.window().relearn(Limit.of(dimension, target, window), this.time.nanoTime());
					return true;
				}
			}
		}
		return false;
	}

	@Override
	public void charge(Cost extra) {
		long now = this.time.nanoTime();
		for (PacedRateLimiter limiter : this.limiters) {
			PacedWindow window = limiter.window();
			long amount = extra.amount(window.limit().dimension());
			if (amount > 0) {
				window.settle(window.consume(0, now), 0, amount, now);
			}
		}
	}

	@Override
	public long tryCharge(Cost extra) {
		long now = this.time.nanoTime();
		long wait = Math.max(0, this.cooldownUntil - now);
		for (PacedRateLimiter limiter : this.limiters) {
			PacedWindow window = limiter.window();
			long limiterWait = window.nanosUntilAvailable(extra.amount(window.limit().dimension()), now);
			if (limiterWait == PacedWindow.NEVER) {
				throw new RequestTooLargeException(this.provider, window.limit(), extra.amount(window.limit().dimension()));
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
		for (int i = 0; i < updated.length; i++) {
			Limit limit = limits.get(i);
			PacedRateLimiter reused = (old != null) ? find(old, limit) : null;
			Duration burst = burstFor(limit, newPolicy);
			if (reused != null) {
				reused.window().reconfigure(limit, burst.toNanos());
				updated[i] = reused;
			}
			else {
				updated[i] = new PacedRateLimiter(this.provider + "-" + limit.dimension().id() + "-" + limit.period(),
						limit, burst, newPolicy.maxWait(), this.time, this.lock,
						Map.of("provider", this.provider, "dimension", limit.dimension().id()));
			}
		}
		this.limiters = updated;
		if (newPolicy.maxConcurrent() > 0) {
			BulkheadConfig config = BulkheadConfig.custom()
				.maxConcurrentCalls(newPolicy.maxConcurrent())
				.maxWaitDuration(Duration.ZERO)
				.build();
			if (this.bulkhead == null) {
				this.bulkhead = Bulkhead.of(this.provider, config, Map.of("provider", this.provider));
			}
			else {
				this.bulkhead.changeConfig(config);
			}
		}
		else {
			this.bulkhead = null;
		}
		this.policy = newPolicy;
	}

	/**
	 * Requests are paced strictly (providers quantize them per second); token limits may run a tenth of their
	 * period ahead, because costs vary call to call and strict token pacing would make a large call after small
	 * ones wait although the window has room. The trailing window still holds exactly either way.
	 */
	static Duration burstFor(Limit limit, ThrottlePolicy policy) {
		if (limit.dimension() == Dimension.REQUESTS) {
			return policy.burst();
		}
		Duration tenth = limit.period().dividedBy(TOKEN_BURST_DIVISOR);
		return (tenth.compareTo(policy.burst()) > 0) ? tenth : policy.burst();
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
			states.add(new PartitionSnapshot.LimitState(window.limit(), window.used(now), window.available(now)));
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
		return this.bulkhead;
	}

	/** What one admission took: the limiters' entries and the bulkhead slot, as they were at the time. */
	private record Grant(PacedRateLimiter[] limiters, PacedWindow.Entry[] entries, Bulkhead bulkhead) {
	}

}
