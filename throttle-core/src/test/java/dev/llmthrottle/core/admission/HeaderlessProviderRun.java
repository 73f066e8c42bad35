package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.test.clock.SimClock;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.engine.Admission;
import dev.llmthrottle.test.engine.Enforcer;
import dev.llmthrottle.test.engine.EnforcerSettings;
import dev.llmthrottle.test.engine.LimitState;

/**
 * A batch of one-request calls sent by {@code callers} through a partition whose
 * {@code requests-per-minute} is {@code auto}, to the simulated provider's
 * {@link Enforcer} in virtual time, with no rate-limit header ever: what the engine
 * learns is learned from 429s alone. Each refusal cools the partition down for the
 * provider's hint as {@code ResponseFeedback} would read it (the exact milliseconds on
 * half of them, else whole seconds rounded up, as the simulated OpenAI wire sends them)
 * and the call is retried through admission.
 */
final class HeaderlessProviderRun {

	static final Limit PROVISIONAL = Limit.perMinute(Dimension.REQUESTS, 60);

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final Enforcer enforcer;

	private final Partition partition;

	private final long latencyNanos;

	private final SplittableRandom random;

	private final int calls;

	private final boolean reporting;

	private final int callers;

	private int started;

	private int done;

	private long refusals;

	private long lastDone;

	private final long begin;

	HeaderlessProviderRun(EnforcementModel model, dev.llmthrottle.test.config.Limit providerLimit, int calls,
			int callers, Duration latency, long seed) {
		this(model, providerLimit, calls, callers, latency, seed, 0);
	}

	/**
	 * With {@code neighbourShare > 0}: a provider that states its limit and remaining
	 * count on every success (as its headers do), shared with an unseen neighbour taking
	 * that share of it; the partition is configured with the provider's full limit.
	 */
	HeaderlessProviderRun(EnforcementModel model, dev.llmthrottle.test.config.Limit providerLimit, int calls,
			int callers, Duration latency, long seed, double neighbourShare) {
		SimClock clock = new SimClock() {
			@Override
			public long nanoTime() {
				return HeaderlessProviderRun.this.time.nanoTime();
			}

			@Override
			public Instant instant(long nanoTime) {
				return Instant.EPOCH.plusNanos(nanoTime);
			}
		};
		this.reporting = neighbourShare > 0;
		this.enforcer = new Enforcer(
				EnforcerSettings.of(model, providerLimit).withSeed(seed).withNeighbourShare(neighbourShare), clock);
		Limit configured = Limit.of(Dimension.REQUESTS, providerLimit.amount(), providerLimit.period());
		ThrottlePolicy policy = this.reporting
				? new ThrottlePolicy("noisy", List.of(configured), callers, Duration.ofMinutes(10), 10_000,
						Duration.ZERO, 10)
				: new ThrottlePolicy("headerless", List.of(PROVISIONAL), callers, Duration.ofMinutes(10), 10_000,
						Duration.ZERO, 10, List.of(PROVISIONAL));
		this.partition = new ProviderThrottler(policy, this.time, PartitionKeys.withRandomSecret(),
				ThrottleListener.NONE)
			.defaultPartition();
		this.latencyNanos = latency.toNanos();
		this.random = new SplittableRandom(seed);
		this.calls = calls;
		this.callers = callers;
		this.begin = this.time.nanoTime();
	}

	HeaderlessProviderRun start() {
		for (int i = 0; i < this.callers; i++) {
			next();
		}
		return this;
	}

	Partition partition() {
		return this.partition;
	}

	/** Runs until every call has succeeded or {@code limit} has passed. */
	HeaderlessProviderRun runFor(Duration limit) {
		long end = this.begin + limit.toNanos();
		while (this.done < this.calls && this.time.nanoTime() < end) {
			this.time.advance(Duration.ofMillis(10));
		}
		return this;
	}

	/** Lets virtual time pass with no calls. */
	HeaderlessProviderRun idle(Duration duration) {
		this.time.advance(duration);
		return this;
	}

	int done() {
		return this.done;
	}

	long refusals() {
		return this.refusals;
	}

	/** From the start to the last success. */
	double makespanSeconds() {
		return (this.lastDone - this.begin) / 1e9;
	}

	private void next() {
		if (this.started >= this.calls) {
			return;
		}
		this.started++;
		attempt();
	}

	private void attempt() {
		this.partition.acquireAsync(Cost.oneRequest()).thenAccept(this::send);
	}

	private void send(Permit permit) {
		Admission admission = this.enforcer.tryAdmit(dev.llmthrottle.test.engine.Cost.request(0, 0), this.latencyNanos);
		if (admission instanceof Admission.Admitted admitted) {
			this.time.schedule(() -> {
				this.enforcer.complete(admitted.ticket());
				if (this.reporting) {
					for (LimitState state : this.enforcer.snapshot().limits()) {
						this.partition.reportRemaining(Dimension.REQUESTS, state.remaining(),
								Duration.ofNanos(state.resetNanos()));
					}
				}
				this.partition.observeSuccess();
				permit.release(null);
				this.done++;
				this.lastDone = this.time.nanoTime();
				next();
			}, this.latencyNanos);
			return;
		}
		if (!(admission instanceof Admission.Throttled throttled)) {
			throw new IllegalStateException("unexpected " + admission);
		}
		this.refusals++;
		long hint = this.random.nextBoolean() ? ceilMillis(throttled.waitNanos()) : ceilSeconds(throttled.waitNanos());
		Duration delay = Duration.ofNanos(hint);
		this.partition.coolDown(delay, "HTTP 429");
		this.partition.observeRefusal(delay);
		permit.release(Cost.oneRequest());
		attempt();
	}

	private static long ceilMillis(long nanos) {
		return Math.max(1, (nanos + 999_999) / 1_000_000) * 1_000_000;
	}

	private static long ceilSeconds(long nanos) {
		return Math.max(1, (nanos + 999_999_999) / 1_000_000_000) * 1_000_000_000;
	}

}
