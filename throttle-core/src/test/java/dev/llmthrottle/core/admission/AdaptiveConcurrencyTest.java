package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code max-concurrent: auto} through a real partition against an in-process provider on
 * virtual time ({@link ConcurrencySimulation}).
 */
class AdaptiveConcurrencyTest {

	private static final long MS = 1_000_000L;

	private final VirtualTimeSource time = new VirtualTimeSource();

	private Partition partition(int requestsPerSecond, int bound) {
		ThrottlePolicy policy = ThrottlePolicy
			.of("openai", bound, Limit.of(Dimension.REQUESTS, requestsPerSecond, Duration.ofSeconds(1)))
			.withAutoConcurrent(true);
		return new ProviderThrottler(policy, this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE)
			.defaultPartition();
	}

	@Test
	void startsFromLittlesLawWithTheRateAndTheMeasuredLatency() {
		Partition partition = partition(8, 0);
		assertThat(partition.concurrencyLimit()).as("before any latency is measured")
			.isEqualTo(AdaptiveConcurrency.START);
		ConcurrencySimulation run = new ConcurrencySimulation(this.time, partition, 0, (t) -> 500 * MS).run(200, 32,
				Duration.ofMinutes(2));
		// 8/s x 0.5 s = 4 in flight, x 1.25 headroom = 5
		assertThat(run.completed).isEqualTo(200);
		assertThat(partition.concurrencyLimit()).isEqualTo(5);
		assertThat(partition.observedLatency()).isEqualTo(Duration.ofMillis(500));
		assertThat(run.maxInFlight).isLessThanOrEqualTo(5);
		// the rate, not the concurrency, binds: 200 calls at 8/s
		assertThat(run.makespan()).isLessThan(Duration.ofMillis(25_000 + 1_500));
		assertThat(partition.snapshot().inFlight()).isZero();
	}

	@Test
	void convergesToAProviderCapWithFewRefusalsAndNearTheTrueCapsMakespan() {
		Partition partition = partition(20, 0);
		ConcurrencySimulation run = new ConcurrencySimulation(this.time, partition, 6, (t) -> 500 * MS).run(600, 32,
				Duration.ofMinutes(5));
		assertThat(run.completed).isEqualTo(600);
		assertThat(run.refused).as("overload refusals").isLessThan(6);
		assertThat(partition.concurrencyLimit()).isBetween(6, 7);
		// the true cap, 6 in flight of 0.5 s each: 600 calls need 50 s
		assertThat(run.makespan()).isLessThan(Duration.ofSeconds(55));

		Partition fixed = new ProviderThrottler(
				ThrottlePolicy.of("openai", 6, Limit.of(Dimension.REQUESTS, 20, Duration.ofSeconds(1))), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE)
			.defaultPartition();
		ConcurrencySimulation reference = new ConcurrencySimulation(this.time, fixed, 6, (t) -> 500 * MS).run(600, 32,
				Duration.ofMinutes(5));
		assertThat(reference.refused).isZero();
		assertThat(run.makespan().toMillis()).isLessThan(reference.makespan().toMillis() * 11 / 10);
	}

	@Test
	void followsALatencyThatDoublesMidRun() {
		Partition partition = partition(10, 0);
		long doubling = Duration.ofSeconds(20).toNanos();
		ConcurrencySimulation run = new ConcurrencySimulation(this.time, partition, 0,
				(t) -> (t < doubling) ? 500 * MS : 1000 * MS)
			.run(600, 64, Duration.ofMinutes(5));
		assertThat(run.completed).isEqualTo(600);
		// 10/s x 0.5 s x 1.25 = 7 before, 10/s x 1 s x 1.25 = 13 after
		assertThat(run.limitAt(Duration.ofSeconds(19))).isEqualTo(7);
		assertThat(run.limitAt(Duration.ofSeconds(50))).isEqualTo(13);
		long followedAt = run.limits.stream().filter((s) -> s[0] > 20_000 && s[1] >= 12).findFirst().get()[0];
		assertThat(followedAt - 20_000).as("ms until the limit followed").isLessThan(30_000);
		// the rate keeps binding: 600 calls at 10/s, plus one latency
		assertThat(run.makespan()).isLessThan(Duration.ofSeconds(62));
	}

	@Test
	void neverExceedsTheConfiguredBound() {
		Partition partition = partition(100, 4);
		ConcurrencySimulation run = new ConcurrencySimulation(this.time, partition, 0, (t) -> 500 * MS).run(200, 32,
				Duration.ofMinutes(2));
		assertThat(run.completed).isEqualTo(200);
		assertThat(partition.concurrencyLimit()).isEqualTo(4);
		assertThat(run.maxInFlight).isEqualTo(4);
	}

	@Test
	void anOverloadAnswerLowersTheLimitToWhatTheProviderAcceptedAndATenthAtLeast() {
		AdaptiveConcurrency limit = new AdaptiveConcurrency(0);
		limit.rate(20);
		limit.succeeded(500 * MS, 1);
		assertThat(limit.limit()).isEqualTo(13);
		// refused with 7 in flight: the provider takes 6
		limit.overloaded(7, 0);
		assertThat(limit.limit()).isEqualTo(6);
		assertThat(limit.ceiling()).isEqualTo(6);
		// another refusal of the same episode (within one latency) only applies n - 1
		limit.overloaded(7, 100 * MS);
		assertThat(limit.limit()).isEqualTo(6);
		// a new episode with 6 in flight: n - 1 = 5, and at least a tenth off (5)
		limit.overloaded(6, 2000 * MS);
		assertThat(limit.limit()).isEqualTo(5);
		// never below one
		for (int i = 0; i < 20; i++) {
			limit.overloaded(1, (3000 + i * 1000L) * MS);
		}
		assertThat(limit.limit()).isEqualTo(1);
	}

	@Test
	void probesAboveACeilingRarelyAndLessOftenAfterEachFailedProbe() {
		AdaptiveConcurrency limit = new AdaptiveConcurrency(0);
		limit.rate(20);
		limit.succeeded(500 * MS, 1);
		limit.overloaded(7, 0);
		int successes = 0;
		while (limit.limit() == 6) {
			limit.succeeded(500 * MS, 6);
			successes++;
		}
		assertThat(successes).isEqualTo(AdaptiveConcurrency.PROBE_BASE);
		assertThat(limit.limit()).isEqualTo(7);
		limit.overloaded(8, 10_000 * MS);
		assertThat(limit.limit()).isEqualTo(6);
		successes = 0;
		while (limit.limit() == 6) {
			limit.succeeded(500 * MS, 6);
			successes++;
		}
		assertThat(successes).isEqualTo(2 * AdaptiveConcurrency.PROBE_BASE);
	}

	@Test
	void afterARefusalBelowAKnownGoodLevelClimbsBackWithinARoundTripPerStep() {
		AdaptiveConcurrency limit = new AdaptiveConcurrency(0);
		limit.rate(20);
		limit.succeeded(500 * MS, 1);
		limit.overloaded(7, 0);
		for (int i = 0; i < AdaptiveConcurrency.GOOD_AFTER; i++) {
			limit.succeeded(500 * MS, 6);
		}
		// 6 is known good; a stray refusal at 6 (the provider's books lagging) lowers to
		// 5
		limit.overloaded(6, 10_000 * MS);
		assertThat(limit.limit()).isEqualTo(5);
		int successes = 0;
		while (limit.limit() == 5) {
			limit.succeeded(500 * MS, 5);
			successes++;
		}
		assertThat(successes).as("back to 6 after one round trip at 5").isEqualTo(5);
		assertThat(limit.limit()).isEqualTo(6);
		// refused again on the way back: 6 is good no more, and the climb stops at 5
		limit.overloaded(6, 20_000 * MS);
		assertThat(limit.limit()).isEqualTo(5);
		for (int i = 0; i < AdaptiveConcurrency.PROBE_BASE - 1; i++) {
			limit.succeeded(500 * MS, 5);
		}
		assertThat(limit.limit()).as("only the slow probe goes above 5 now").isEqualTo(5);
	}

	@Test
	void withoutARequestRateGrowsAdditivelyUntilAnOverloadAnswer() {
		AdaptiveConcurrency limit = new AdaptiveConcurrency(0);
		assertThat(limit.limit()).isEqualTo(AdaptiveConcurrency.START);
		for (int i = 0; i < 200; i++) {
			limit.succeeded(500 * MS, limit.limit());
		}
		assertThat(limit.limit()).isGreaterThan(AdaptiveConcurrency.START + 5);
		int before = limit.limit();
		limit.overloaded(before, 0);
		// n - 1, and at least a tenth off
		int lowered = Math.min(before - 1, (int) Math.floor(before * AdaptiveConcurrency.DECREASE));
		assertThat(limit.limit()).isEqualTo(lowered);
		// successes that leave the limit unused do not grow it
		for (int i = 0; i < 500; i++) {
			limit.succeeded(500 * MS, 1);
		}
		assertThat(limit.limit()).isEqualTo(lowered);
	}

	@Test
	void refusalsForRatesAndFailuresTeachItNothing() {
		Partition partition = partition(20, 0);
		List<Permit> permits = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			permits.add(partition.tryAcquire(Cost.oneRequest()));
			this.time.advance(Duration.ofMillis(100));
		}
		this.time.advance(Duration.ofMillis(200));
		permits.get(0).reportOutcome(Permit.Outcome.REFUSED);
		permits.get(0).release(Cost.oneRequest());
		permits.get(1).reportOutcome(Permit.Outcome.FAILED);
		permits.get(1).release(null);
		permits.get(2).abandon();
		assertThat(partition.observedLatency()).isZero();
		assertThat(partition.concurrencyLimit()).isEqualTo(AdaptiveConcurrency.START);
		permits.get(3).release(null); // no outcome reported: a success
		// admitted at 300 ms, answered at 600 ms
		assertThat(partition.observedLatency()).isEqualTo(Duration.ofMillis(300));
	}

	@Test
	void anOverloadSeenUnderAPermitIsNotHiddenByALaterOutcome() {
		Partition partition = partition(20, 0);
		Permit permit = partition.tryAcquire(Cost.oneRequest());
		permit.reportOutcome(Permit.Outcome.OVERLOADED);
		permit.reportOutcome(Permit.Outcome.SUCCEEDED);
		permit.release(null);
		assertThat(partition.concurrencyLimit()).isLessThan(AdaptiveConcurrency.START);
	}

	@Test
	void anOverloadCountsTheCallsInFlightWhenTheRefusedCallWasSentNotWhenItsAnswerCame() {
		Partition partition = partition(1000, 0);
		List<Permit> permits = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			permits.add(partition.tryAcquire(Cost.oneRequest()));
			this.time.advance(Duration.ofMillis(10));
		}
		// two calls come back before the refusal of the fourth, sent with 4 in flight
		permits.get(0).release(null);
		permits.get(1).release(null);
		permits.get(3).reportOutcome(Permit.Outcome.OVERLOADED);
		permits.get(3).release(Cost.oneRequest());
		// the provider took 3, not 1
		assertThat(partition.concurrencyLimit()).isEqualTo(3);
		permits.get(2).release(null);
	}

	@Test
	void aFixedCapIsUnchangedByOutcomes() {
		Partition partition = new ProviderThrottler(
				ThrottlePolicy.of("openai", 3, Limit.of(Dimension.REQUESTS, 20, Duration.ofSeconds(1))), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE)
			.defaultPartition();
		Permit permit = partition.tryAcquire(Cost.oneRequest());
		permit.reportOutcome(Permit.Outcome.OVERLOADED);
		permit.release(null);
		assertThat(partition.concurrencyLimit()).isEqualTo(3);
		assertThat(partition.observedLatency()).isZero();
	}

}
