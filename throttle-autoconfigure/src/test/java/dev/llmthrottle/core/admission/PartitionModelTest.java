package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.RequestTooLargeException;
import dev.llmthrottle.core.VirtualTimeSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Random acquire / release / abandon / cancel / cooldown / time-jump sequences on random policies, checked against a
 * plain record of every admission: no trailing window of any limit ever holds more than its amount, in-flight never
 * exceeds the cap, admissions happen in arrival order, nothing is left held or queued, no state goes negative.
 * Each seed is reproducible; a failure names it.
 */
class PartitionModelTest {

	private static final int SEEDS = 1000;

	private static final int ACTIONS = 200;

	@Test
	void randomSequencesKeepEveryInvariant() {
		for (long seed = 1; seed <= SEEDS; seed++) {
			try {
				new Run(seed).execute();
			}
			catch (AssertionError | RuntimeException ex) {
				throw new AssertionError("seed " + seed + " failed: " + ex.getMessage(), ex);
			}
		}
	}

	/** One admission as the reference model sees it. */
	private static final class Admitted {

		final long order;

		final Permit permit;

		Cost effective;

		Admitted(long order, Permit permit) {
			this.order = order;
			this.permit = permit;
			this.effective = permit.cost();
		}

	}

	private static final class Run {

		private final Random random;

		private final VirtualTimeSource time = new VirtualTimeSource();

		private final ThrottlePolicy policy;

		private final Partition partition;

		private final List<Admitted> admitted = new ArrayList<>();

		private final List<Admitted> held = new ArrayList<>();

		private final List<CompletableFuture<Permit>> waiting = new ArrayList<>();

		private long arrivals;

		private long lastGrantedOrder = -1;

		private int inFlight;

		private AssertionError failure;

		Run(long seed) {
			this.random = new Random(seed);
			int limitCount = 1 + this.random.nextInt(3);
			List<Limit> limits = new ArrayList<>();
			Dimension[] dimensions = Dimension.values();
			for (int i = 0; i < limitCount; i++) {
				Dimension dimension = dimensions[this.random.nextInt(dimensions.length)];
				long amount = (dimension == Dimension.REQUESTS) ? 1 + this.random.nextInt(50)
						: 10 + this.random.nextInt(1000);
				Duration period = Duration.ofMillis(1 + this.random.nextInt(10_000));
				limits.add(Limit.of(dimension, amount, period));
			}
			int maxConcurrent = this.random.nextBoolean() ? 0 : 1 + this.random.nextInt(4);
			Duration burst = this.random.nextBoolean() ? Duration.ZERO
					: Duration.ofMillis(this.random.nextInt(2000));
			this.policy = new ThrottlePolicy("model", limits, maxConcurrent, Duration.ofDays(365), 100_000, burst,
					10);
			this.partition = new ProviderThrottler(this.policy, this.time, PartitionKeys.withRandomSecret(),
					ThrottleListener.NONE)
				.defaultPartition();
		}

		void execute() {
			for (int step = 0; step < ACTIONS; step++) {
				int action = this.random.nextInt(100);
				if (action < 40) {
					acquire();
				}
				else if (action < 60) {
					releaseOne();
				}
				else if (action < 65) {
					abandonOne();
				}
				else if (action < 70) {
					cancelOne();
				}
				else if (action < 72) {
					this.partition.coolDown(Duration.ofMillis(this.random.nextInt(5000)), "model");
				}
				else if (action < 73) {
					this.time.advance(Duration.ofDays(1 + this.random.nextInt(3650)));
				}
				else {
					this.time.advanceNanos((long) (this.random.nextDouble() * 2 * longestPeriodNanos()));
				}
				checkState();
			}
			// Quiesce: release everything, let every waiter in, release again.
			for (int round = 0; round < 10_000 && (!this.held.isEmpty() || hasLiveWaiters()); round++) {
				while (!this.held.isEmpty()) {
					release(this.held.remove(0), null);
				}
				this.time.advanceNanos(longestPeriodNanos() + 1);
			}
			checkState();
			PartitionSnapshot snapshot = this.partition.snapshot();
			assertThat(snapshot.inFlight()).as("in flight after quiescence").isZero();
			assertThat(snapshot.queued()).as("queued after quiescence").isZero();
			assertThat(snapshot.repeatedReleases()).isZero();
			this.time.advanceNanos(longestPeriodNanos() + Duration.ofSeconds(10).toNanos());
			assertThat(this.partition.isQuiescent()).as("idle long after quiescence").isTrue();
		}

		private boolean hasLiveWaiters() {
			return this.waiting.stream().anyMatch((future) -> !future.isDone());
		}

		private long longestPeriodNanos() {
			return this.policy.longestPeriod().toNanos();
		}

		private void acquire() {
			long input = this.random.nextInt(300);
			long output = this.random.nextInt(300);
			Cost cost = new Cost(1, input, output);
			boolean tooLarge = this.policy.limits()
				.stream()
				.anyMatch((limit) -> cost.amount(limit.dimension()) > limit.amount());
			long order = this.arrivals++;
			CompletableFuture<Permit> future = this.partition.acquireAsync(cost);
			if (tooLarge) {
				assertThat(future).isCompletedExceptionally();
				assertThat(future.handle((p, ex) -> ex)).isCompletedWithValueMatching(
						(ex) -> ex instanceof RequestTooLargeException);
				return;
			}
			future.thenAccept((permit) -> {
				try {
					granted(order, permit);
				}
				catch (AssertionError ex) {
					// callbacks run inside the engine's completion; keep the first failure for the main loop
					if (this.failure == null) {
						this.failure = ex;
					}
				}
			});
			this.waiting.add(future);
		}

		private void granted(long order, Permit permit) {
			assertThat(order).as("arrival order").isGreaterThan(this.lastGrantedOrder);
			this.lastGrantedOrder = order;
			this.inFlight++;
			if (this.policy.maxConcurrent() > 0) {
				assertThat(this.inFlight).as("in flight").isLessThanOrEqualTo(this.policy.maxConcurrent());
			}
			Admitted admission = new Admitted(order, permit);
			this.admitted.add(admission);
			this.held.add(admission);
			long now = permit.admittedAt();
			for (Limit limit : this.policy.limits()) {
				long sum = 0;
				for (Admitted earlier : this.admitted) {
					if (earlier.permit.admittedAt() > now - limit.periodNanos()) {
						sum += earlier.effective.amount(limit.dimension());
					}
				}
				if (sum > limit.amount()) {
					fail("trailing window of " + limit + " holds " + sum + " at " + now);
				}
			}
		}

		private void releaseOne() {
			if (this.held.isEmpty()) {
				return;
			}
			Admitted admission = this.held.remove(this.random.nextInt(this.held.size()));
			Cost estimate = admission.permit.cost();
			Cost actual = this.random.nextBoolean() ? null
					: new Cost(estimate.requests(), (long) (estimate.inputTokens() * this.random.nextDouble()),
							(long) (estimate.outputTokens() * this.random.nextDouble()));
			release(admission, actual);
		}

		private void release(Admitted admission, Cost actual) {
			if (actual != null) {
				admission.effective = actual;
			}
			this.inFlight--;
			assertThat(admission.permit.release(actual)).isTrue();
		}

		private void abandonOne() {
			if (this.held.isEmpty()) {
				return;
			}
			Admitted admission = this.held.remove(this.random.nextInt(this.held.size()));
			admission.effective = Cost.NONE;
			this.inFlight--;
			assertThat(admission.permit.abandon()).isTrue();
		}

		private void cancelOne() {
			List<CompletableFuture<Permit>> live = this.waiting.stream().filter((f) -> !f.isDone()).toList();
			if (!live.isEmpty()) {
				assertThat(live.get(this.random.nextInt(live.size())).cancel(false)).isTrue();
			}
		}

		private void checkState() {
			if (this.failure != null) {
				throw this.failure;
			}
			PartitionSnapshot snapshot = this.partition.snapshot();
			assertThat(snapshot.inFlight()).isEqualTo(this.inFlight).isGreaterThanOrEqualTo(0);
			assertThat(snapshot.queued()).isGreaterThanOrEqualTo(0);
			for (PartitionSnapshot.LimitState state : snapshot.limits()) {
				assertThat(state.used()).isGreaterThanOrEqualTo(0);
				assertThat(state.available()).isBetween(0L, state.limit().amount());
			}
		}

	}

}
