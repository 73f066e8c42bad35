package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.MaxWaitExceededException;
import dev.llmthrottle.core.QueueFullException;
import dev.llmthrottle.core.RequestTooLargeException;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.leaks.PermitLeakAllowed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartitionTest {

	private final VirtualTimeSource time = new VirtualTimeSource();

	private Partition partition(int maxConcurrent, Limit... limits) {
		return new ProviderThrottler(ThrottlePolicy.of("openai", maxConcurrent, limits), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE)
			.defaultPartition();
	}

	private static Limit requestsPerSecond(long amount) {
		return Limit.of(Dimension.REQUESTS, amount, Duration.ofSeconds(1));
	}

	private static Limit tokensPerSecond(long amount) {
		return Limit.of(Dimension.TOKENS, amount, Duration.ofSeconds(1));
	}

	private long used(Partition partition, Dimension dimension) {
		return partition.snapshot()
			.limits()
			.stream()
			.filter((state) -> state.limit().dimension() == dimension)
			.mapToLong(PartitionSnapshot.LimitState::used)
			.sum();
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void admitsSixPerSecondOnAnExactSchedule() {
		Partition partition = partition(0, requestsPerSecond(6));
		long start = this.time.nanoTime();
		List<Long> admittedAt = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			partition.acquireAsync(Cost.oneRequest())
				.thenAccept((permit) -> admittedAt.add(permit.admittedAt() - start));
		}
		this.time.advance(Duration.ofSeconds(3));
		assertThat(admittedAt).hasSize(12);
		for (int i = 0; i < 12; i++) {
			assertThat(admittedAt.get(i)).as("admission %d", i).isEqualTo(i * 168_333_334L); // 1.01
																								// s
																								// /
																								// 6
		}
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void reservesEveryDimensionAtOnceAndNothingWhileWaiting() {
		Partition partition = partition(0, requestsPerSecond(10), tokensPerSecond(100));
		Permit first = partition.tryAcquire(Cost.of(80, 0));
		assertThat(first).isNotNull();
		CompletableFuture<Permit> second = partition.acquireAsync(Cost.of(50, 0));
		assertThat(second).isNotDone();
		// waiting on tokens must not hold a request slot
		assertThat(used(partition, Dimension.REQUESTS)).isEqualTo(1);
		assertThat(used(partition, Dimension.TOKENS)).isEqualTo(80);
		this.time.advance(Duration.ofMillis(1009)); // the first leaves the window at 1 s
													// plus the 1% guard
		assertThat(second).isNotDone();
		this.time.advance(Duration.ofMillis(1));
		assertThat(second).isCompleted();
		assertThat(used(partition, Dimension.REQUESTS)).isEqualTo(1); // the first request
																		// left the window
		assertThat(used(partition, Dimension.TOKENS)).isEqualTo(50);
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void servesWaitersInArrivalOrderWhateverTheirCost() {
		Partition partition = partition(0, tokensPerSecond(100));
		partition.tryAcquire(Cost.of(100, 0));
		CompletableFuture<Permit> large = partition.acquireAsync(Cost.of(90, 0));
		CompletableFuture<Permit> small1 = partition.acquireAsync(Cost.of(5, 0));
		CompletableFuture<Permit> small2 = partition.acquireAsync(Cost.of(5, 0));
		List<String> order = new ArrayList<>();
		large.thenRun(() -> order.add("large"));
		small1.thenRun(() -> order.add("small1"));
		small2.thenRun(() -> order.add("small2"));
		this.time.advance(Duration.ofSeconds(5));
		assertThat(order).containsExactly("large", "small1", "small2");
	}

	@Test
	void settlesRefundsAndDebts() {
		Partition partition = partition(0, tokensPerSecond(1000));
		Permit refunded = partition.tryAcquire(Cost.of(100, 100));
		refunded.release(Cost.of(100, 30));
		assertThat(used(partition, Dimension.TOKENS)).isEqualTo(130);
		assertThat(partition.tryAcquire(Cost.of(0, 10))).as("paced: 130 tokens take 131.3 ms").isNull();
		this.time.advance(Duration.ofMillis(140));
		Permit indebted = partition.tryAcquire(Cost.of(0, 10));
		this.time.advance(Duration.ofMillis(5));
		indebted.release(Cost.of(0, 300));
		assertThat(used(partition, Dimension.TOKENS)).isEqualTo(430);
	}

	@Test
	void abandonedPermitGivesEverythingBack() {
		Partition partition = partition(2, requestsPerSecond(10), tokensPerSecond(100));
		Permit permit = partition.tryAcquire(Cost.of(40, 0));
		assertThat(permit.abandon()).isTrue();
		assertThat(permit.abandon()).isFalse();
		assertThat(permit.release(null)).isFalse();
		PartitionSnapshot snapshot = partition.snapshot();
		assertThat(snapshot.inFlight()).isZero();
		assertThat(snapshot.repeatedReleases()).isEqualTo(2);
		assertThat(used(partition, Dimension.REQUESTS)).isZero();
		assertThat(used(partition, Dimension.TOKENS)).isZero();
	}

	@Test
	void rejectsTooLargeAtOnce() {
		Partition partition = partition(0, tokensPerSecond(100));
		assertThatThrownBy(() -> partition.tryAcquire(Cost.of(101, 0))).isInstanceOf(RequestTooLargeException.class)
			.hasMessageContaining("openai")
			.hasMessageContaining("101 tokens")
			.hasMessageContaining("100 tokens per 1s");
		assertThat(partition.acquireAsync(Cost.of(60, 50))).isCompletedExceptionally();
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void failsFastWhenTheForeseeableWaitExceedsMaxWait() {
		ProviderThrottler throttler = new ProviderThrottler(
				ThrottlePolicy.of("openai", 0, requestsPerSecond(1)).withMaxWait(Duration.ofMillis(2500)), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		Partition partition = throttler.defaultPartition();
		partition.tryAcquire(Cost.oneRequest());
		CompletableFuture<Permit> second = partition.acquireAsync(Cost.oneRequest()); // 1
																						// s
		CompletableFuture<Permit> third = partition.acquireAsync(Cost.oneRequest()); // 2
																						// s
		CompletableFuture<Permit> fourth = partition.acquireAsync(Cost.oneRequest()); // 3
																						// s
																						// >
																						// 2.5
																						// s
		assertThat(second).isNotDone();
		assertThat(third).isNotDone();
		assertThat(fourth).isCompletedExceptionally();
		assertThatThrownBy(fourth::get).hasCauseInstanceOf(MaxWaitExceededException.class)
			.hasMessageContaining("at least 3010ms")
			.hasMessageContaining("1 requests per 1s");
	}

	@Test
	void waitOnConcurrencyEndsAtMaxWait() throws Exception {
		ProviderThrottler throttler = new ProviderThrottler(
				ThrottlePolicy.of("openai", 1, requestsPerSecond(100)).withMaxWait(Duration.ofSeconds(2)), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		Partition partition = throttler.defaultPartition();
		Permit held = partition.tryAcquire(Cost.oneRequest());
		CompletableFuture<Permit> waiting = partition.acquireAsync(Cost.oneRequest());
		this.time.advance(Duration.ofMillis(1999));
		assertThat(waiting).isNotDone();
		this.time.advance(Duration.ofMillis(1));
		assertThatThrownBy(waiting::get).isInstanceOf(ExecutionException.class)
			.hasCauseInstanceOf(MaxWaitExceededException.class)
			.hasMessageContaining("concurrency");
		assertThat(partition.snapshot().queued()).isZero();
		held.release(null);
		assertThat(partition.snapshot().inFlight()).isZero();
		assertThat(this.time.pendingTasks()).isZero();
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void rejectsWhenTheQueueIsFull() {
		ProviderThrottler throttler = new ProviderThrottler(
				ThrottlePolicy.of("openai", 1, requestsPerSecond(100)).withMaxQueue(2), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		Partition partition = throttler.defaultPartition();
		partition.tryAcquire(Cost.oneRequest());
		partition.acquireAsync(Cost.oneRequest());
		partition.acquireAsync(Cost.oneRequest());
		assertThatThrownBy(() -> partition.acquireAsync(Cost.oneRequest()).get())
			.hasCauseInstanceOf(QueueFullException.class);
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void cooldownPausesEveryCallerUntilItEnds() {
		Partition partition = partition(0, requestsPerSecond(1000));
		partition.coolDown(Duration.ofSeconds(7), "429 retry-after 7s");
		assertThat(partition.tryAcquire(Cost.oneRequest())).isNull();
		CompletableFuture<Permit> a = partition.acquireAsync(Cost.oneRequest());
		CompletableFuture<Permit> b = partition.acquireAsync(Cost.oneRequest());
		assertThat(partition.snapshot().cooldownReason()).isEqualTo("429 retry-after 7s");
		this.time.advance(Duration.ofMillis(6999));
		assertThat(a).isNotDone();
		assertThat(b).isNotDone();
		this.time.advance(Duration.ofMillis(1));
		assertThat(a).isCompleted();
		this.time.advance(Duration.ofMillis(2));
		assertThat(b).isCompleted();
		partition.coolDown(Duration.ofSeconds(1), "shorter");
		partition.coolDown(Duration.ofMillis(10), "even shorter is ignored");
		assertThat(partition.cooldownRemaining()).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void cancelledWaiterTakesNothingAndUnblocksTheNext() {
		Partition partition = partition(0, tokensPerSecond(100));
		partition.tryAcquire(Cost.of(100, 0));
		CompletableFuture<Permit> big = partition.acquireAsync(Cost.of(100, 0));
		CompletableFuture<Permit> small = partition.acquireAsync(Cost.of(10, 0));
		big.cancel(false);
		assertThat(partition.snapshot().queued()).isEqualTo(1);
		this.time.advance(Duration.ofSeconds(2));
		assertThat(small).isCompleted();
		assertThat(used(partition, Dimension.TOKENS)).isEqualTo(10);
	}

	@Test
	void interruptedBlockingCallerIsWithdrawn() throws Exception {
		Partition partition = partition(1, requestsPerSecond(100));
		Permit held = partition.tryAcquire(Cost.oneRequest());
		Thread caller = Thread.currentThread();
		CompletableFuture<Void> interrupter = CompletableFuture.runAsync(() -> {
			while (partition.snapshot().queued() == 0) {
				Thread.onSpinWait();
			}
			caller.interrupt();
		});
		assertThatThrownBy(() -> partition.acquire(Cost.oneRequest())).isInstanceOf(InterruptedException.class);
		interrupter.get();
		assertThat(Thread.interrupted()).isFalse(); // InterruptedException cleared the
													// flag, as the JDK does
		assertThat(partition.snapshot().queued()).isZero();
		held.release(null);
		assertThat(partition.snapshot().inFlight()).isZero();
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void limitsChangeAtRuntimeWithoutLosingState() {
		ProviderThrottler throttler = new ProviderThrottler(ThrottlePolicy.of("openai", 0, tokensPerSecond(100)),
				this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		Partition partition = throttler.defaultPartition();
		partition.tryAcquire(Cost.of(90, 0));
		throttler.apply(throttler.policy().withLimits(List.of(tokensPerSecond(200))));
		assertThat(used(partition, Dimension.TOKENS)).isEqualTo(90);
		assertThat(partition.snapshot().limits().get(0).available()).isEqualTo(110);
	}

	@Test
	void partitionsAreKeyedByHashAndCapped() {
		ProviderThrottler throttler = new ProviderThrottler(
				ThrottlePolicy.of("openai", 0, requestsPerSecond(10)).withMaxPartitions(3), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		Partition a = throttler.partition("sk-live-secret-a");
		assertThat(a.key()).doesNotContain("secret").startsWith("k").hasSize(25);
		assertThat(throttler.partition("sk-live-secret-a")).isSameAs(a);
		a.tryAcquire(Cost.oneRequest()).release(null);
		throttler.partition("tenant-b").tryAcquire(Cost.oneRequest()).release(null);
		assertThatThrownBy(() -> throttler.partition("tenant-c")).isInstanceOf(PartitionLimitException.class);
		this.time.advance(Duration.ofSeconds(2));
		assertThat(throttler.partition("tenant-c")).isNotNull();
		assertThat(throttler.partitions()).hasSize(2); // both idle ones were evicted, the
														// default stays
		assertThat(throttler.partition("sk-live-secret-a")).isNotSameAs(a)
			.extracting(Partition::key)
			.isEqualTo(a.key());
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void autoLimitsFollowTheProviderUpAndDown() {
		Limit provisional = Limit.perMinute(Dimension.REQUESTS, 60);
		ProviderThrottler throttler = new ProviderThrottler(new ThrottlePolicy("openai", List.of(provisional), 0,
				Duration.ofMinutes(1), 100, Duration.ZERO, 10, List.of(provisional)), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		Partition partition = throttler.defaultPartition();
		partition.tryAcquire(Cost.oneRequest());
		assertThat(partition.tryAcquire(Cost.oneRequest())).as("provisional pace: one a second").isNull();
		assertThat(partition.learnLimit(Dimension.REQUESTS, 6000, Duration.ofMinutes(1))).isTrue();
		assertThat(partition.snapshot().limits().get(0).limit().amount()).isEqualTo(6000);
		// the pacing owed at the provisional rate was rescaled to the learned one (10.1
		// ms a request)
		this.time.advance(Duration.ofMillis(11));
		assertThat(partition.tryAcquire(Cost.oneRequest())).isNotNull();
		assertThat(partition.learnLimit(Dimension.REQUESTS, 500, Duration.ofMinutes(1))).isTrue();
		assertThat(partition.snapshot().limits().get(0).limit().amount()).isEqualTo(500);
		assertThat(partition.learnLimit(Dimension.REQUESTS, 500, Duration.ofDays(1))).as("other window").isFalse();
	}

	@Test
	void fixedLimitsAreNeverRaisedByReports() {
		ProviderThrottler throttler = new ProviderThrottler(
				ThrottlePolicy.of("openai", 0, Limit.perMinute(Dimension.REQUESTS, 100)), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		Partition partition = throttler.defaultPartition();
		assertThat(partition.learnLimit(Dimension.REQUESTS, 6000, Duration.ofMinutes(1))).isFalse();
		assertThat(partition.learnLimit(Dimension.REQUESTS, 50, Duration.ofMinutes(1))).isTrue();
		assertThat(partition.learnLimit(Dimension.REQUESTS, 6000, Duration.ofMinutes(1))).isTrue();
		assertThat(partition.snapshot().limits().get(0).limit().amount()).isEqualTo(100);
	}

	@Test
	void aRetryUnderAHeldPermitKeepsToTheRatesWithoutASecondSlot() {
		Partition partition = partition(1, requestsPerSecond(10));
		Permit held = partition.tryAcquire(Cost.oneRequest());
		Duration wait = partition.tryCharge(Cost.oneRequest());
		assertThat(wait).as("paced: 101 ms a request").isEqualTo(Duration.ofMillis(101));
		assertThat(used(partition, Dimension.REQUESTS)).as("nothing taken while waiting").isEqualTo(1);
		this.time.advance(wait);
		assertThat(partition.tryCharge(Cost.oneRequest())).isZero();
		assertThat(used(partition, Dimension.REQUESTS)).isEqualTo(2);
		assertThat(partition.snapshot().inFlight()).as("no second concurrency slot").isEqualTo(1);
		partition.coolDown(Duration.ofSeconds(3), "429");
		assertThat(partition.tryCharge(Cost.oneRequest())).isEqualTo(Duration.ofSeconds(3));
		held.release(null);
	}

	@Test
	void maxWaitProjectionCountsTheBurstAndWaitersAdmittedAtOnce() {
		// issue 11, defect 8: 10 requests/s with a 1 s burst, 3 slots held, 2 callers
		// queued for a slot: when the
		// slots free, all three queued callers go at once (the burst has room), so a
		// third caller must not be
		// refused for a projected 200 ms
		ProviderThrottler throttler = new ProviderThrottler(
				ThrottlePolicy.of("openai", 3, requestsPerSecond(10))
					.withBurst(Duration.ofSeconds(1))
					.withMaxWait(Duration.ofMillis(150)),
				this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		Partition partition = throttler.defaultPartition();
		List<Permit> held = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			held.add(partition.tryAcquire(Cost.oneRequest()));
		}
		CompletableFuture<Permit> first = partition.acquireAsync(Cost.oneRequest());
		CompletableFuture<Permit> second = partition.acquireAsync(Cost.oneRequest());
		CompletableFuture<Permit> third = partition.acquireAsync(Cost.oneRequest());
		assertThat(third).as("a projection of 200 ms ignores the burst").isNotCompletedExceptionally();
		this.time.advance(Duration.ofMillis(100));
		held.forEach((permit) -> permit.release(null));
		assertThat(first).isCompleted();
		assertThat(second).isCompleted();
		assertThat(third).as("admitted the instant the slots freed").isCompleted();
		List.of(first, second, third).forEach((future) -> future.join().release(null));
	}

	@Test
	void maxWaitProjectionStillRefusesWhatStrictPacingMakesWait() {
		// without a burst the same queue does wait 100 ms per caller ahead: a true lower
		// bound still refuses
		ProviderThrottler throttler = new ProviderThrottler(
				ThrottlePolicy.of("openai", 0, requestsPerSecond(10)).withMaxWait(Duration.ofMillis(250)), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
		Partition partition = throttler.defaultPartition();
		Permit first = partition.tryAcquire(Cost.oneRequest());
		CompletableFuture<Permit> second = partition.acquireAsync(Cost.oneRequest()); // 101
																						// ms
		CompletableFuture<Permit> third = partition.acquireAsync(Cost.oneRequest()); // 202
																						// ms
		CompletableFuture<Permit> fourth = partition.acquireAsync(Cost.oneRequest()); // at
																						// least
																						// 301
																						// ms
		assertThat(third).isNotDone();
		assertThatThrownBy(fourth::get).hasCauseInstanceOf(MaxWaitExceededException.class);
		this.time.advance(Duration.ofSeconds(1));
		first.release(null);
		second.join().release(null);
		third.join().release(null);
	}

	@Test
	@PermitLeakAllowed("ends holding the permit whose admission it asserts")
	void absurdResetsAndCooldownsNeitherThrowNorOutlastTheirHorizon() {
		// issue 11, defect 9 (local half): Anthropic's reset 9999-12-31T23:59:59Z,
		// Azure's 99999999999 seconds
		Partition partition = partition(0, requestsPerSecond(10), Limit.perMinute(Dimension.TOKENS, 1000));
		Duration year9999 = Duration.ofSeconds(253_402_300_799L);
		partition.reportRemaining(Dimension.TOKENS, 0, year9999);
		partition.reportRemaining(Dimension.REQUESTS, 0, Duration.ofSeconds(99_999_999_999L));
		partition.reportRemaining(Dimension.TOKENS, Long.MAX_VALUE, Duration.ofSeconds(Long.MAX_VALUE, 999_999_999));
		partition.reportRemaining(Dimension.TOKENS, -5, Duration.ofSeconds(-5));
		assertThat(partition.tryAcquire(Cost.of(10, 0))).as("the provider said nothing remains").isNull();
		this.time.advance(Duration.ofMinutes(2));
		assertThat(partition.tryAcquire(Cost.of(10, 0))).as("held back one period at most")
			.isNotNull()
			.satisfies((p) -> p.release(null));
		partition.coolDown(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), "absurd");
		partition.coolDown(year9999, "absurd");
		assertThat(partition.cooldownRemaining()).isPositive().isLessThanOrEqualTo(Duration.ofDays(1));
		this.time.advance(Duration.ofDays(1));
		assertThat(partition.cooldownRemaining()).isZero();
		assertThat(partition.tryAcquire(Cost.of(10, 0))).isNotNull();
	}

	@Test
	void aWaiterGrantedBeforeItsDeadlineIsSetLeavesNoTimerBehind() {
		// issue 12: a waiter granted between isDone() and the deadline assignment kept
		// its max-wait timer
		Permit[] held = new Permit[1];
		boolean[] raced = new boolean[1];
		dev.llmthrottle.core.TimeSource racing = new dev.llmthrottle.core.TimeSource() {

			@Override
			public long nanoTime() {
				return PartitionTest.this.time.nanoTime();
			}

			@Override
			public Cancellable schedule(Runnable task, long delayNanos) {
				if (held[0] != null && !raced[0] && delayNanos == Duration.ofMinutes(1).toNanos()) {
					raced[0] = true;
					held[0].release(null); // another thread frees the slot while the
											// deadline is being set
				}
				return PartitionTest.this.time.schedule(task, delayNanos);
			}

		};
		Partition partition = new ProviderThrottler(
				ThrottlePolicy.of("openai", 1, requestsPerSecond(100)).withBurst(Duration.ofSeconds(1)), racing,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE)
			.defaultPartition();
		held[0] = partition.tryAcquire(Cost.oneRequest());
		CompletableFuture<Permit> waiter = partition.acquireAsync(Cost.oneRequest());
		assertThat(raced[0]).isTrue();
		assertThat(waiter).isCompleted();
		waiter.join().release(null);
		assertThat(this.time.pendingTasks()).as("no max-wait timer left for a granted waiter").isZero();
	}

	@Test
	@PermitLeakAllowed("ends holding the permit whose admission it asserts")
	void absurdUsageAddsAtMostOneLimitOfDebt() {
		// issue 11, defect 9 / rule R2: 5e18 tokens twice wrapped the window sum negative
		// (limit disabled); 1e14
		// overflowed the pacing and refused every call for centuries. A settlement adds
		// at most one amount of debt.
		Partition partition = partition(0, Limit.perMinute(Dimension.TOKENS, 1000));
		Permit first = partition.tryAcquire(Cost.of(10, 0));
		Permit second = partition.tryAcquire(Cost.of(10, 0));
		first.release(Cost.of(5_000_000_000_000_000_000L, 0));
		second.release(Cost.of(5_000_000_000_000_000_000L, 0));
		assertThat(partition.tryAcquire(Cost.of(10, 0))).as("the debt holds every caller back").isNull();
		assertThat(used(partition, Dimension.TOKENS)).isBetween(1000L, 2020L);
		this.time.advance(Duration.ofMinutes(5));
		Permit third = partition.tryAcquire(Cost.of(10, 0));
		assertThat(third).as("the debt is bounded: minutes, not centuries").isNotNull();
		third.release(Cost.of(100_000_000_000_000L, 0));
		partition.charge(Cost.of(100_000_000_000_000L, 0));
		this.time.advance(Duration.ofMinutes(5));
		assertThat(partition.tryAcquire(Cost.of(10, 0))).isNotNull();
	}

}
