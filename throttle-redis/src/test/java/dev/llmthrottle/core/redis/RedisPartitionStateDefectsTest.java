package dev.llmthrottle.core.redis;

import dev.llmthrottle.test.junit.RequiresRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.MaxWaitExceededException;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.admission.PartitionState;
import dev.llmthrottle.core.admission.PartitionState.Attempt;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Regression tests of issue 11 for the Redis state (defects 4, 5, 11 and the Redis items
 * of 12), each on a real Redis with a partition state built directly and scripts a test
 * can break.
 */
@RequiresRedis
class RedisPartitionStateDefectsTest {

	private static final Duration MINUTE = Duration.ofMinutes(1);

	private final SystemTimeSource time = new SystemTimeSource();

	private final AtomicInteger degradedEvents = new AtomicInteger();

	private final ThrottleListener listener = new ThrottleListener() {
		@Override
		public void backendDegraded(String provider, String reason) {
			RedisPartitionStateDefectsTest.this.degradedEvents.incrementAndGet();
		}
	};

	private TestRedis redis;

	private ControllableScripts scripts;

	private RedisBackendSettings settings;

	private RedisPartitionStates states;

	@BeforeEach
	void setUp() {
		this.redis = new TestRedis(TestRedis.SHARED);
		this.settings = RedisBackendSettings.defaults().withKeyPrefix(TestRedis.uniquePrefix());
		this.scripts = new ControllableScripts(TestRedis.scripts(TestRedis.SHARED, this.settings.commandTimeout()));
		this.states = new RedisPartitionStates("sim", this.scripts, this.settings, this.time, this.listener);
	}

	@AfterEach
	void tearDown() {
		this.states.close();
		this.scripts.close();
		this.redis.close();
		this.time.close();
	}

	@Test
	void aRetryUnderAPermitWaitsForRoomAndTakesNothingMeanwhile() {
		// defect 4: tryCharge was the interface default, "charge at once and return 0"
		RedisPartitionState state = state(policy(0, Limit.of(Dimension.REQUESTS, 2, MINUTE)));
		assertThat(state.tryAdmit(Cost.oneRequest()).isAdmitted()).isTrue();
		assertThat(charge(state, Cost.oneRequest())).isZero();
		long wait = charge(state, Cost.oneRequest());
		assertThat(wait).isGreaterThan(Duration.ofSeconds(50).toNanos());
		assertThat(windowSum("r60000000")).as("nothing taken by the refused charge").isEqualTo(2);
		assertThat(state.tryCharge(Cost.oneRequest())).as("the wait is remembered, not asked again")
			.isGreaterThan(Duration.ofSeconds(50).toNanos());
	}

	@Test
	void aSettlementMadeWhileTheBreakerIsOpenReachesRedisAfterwards() {
		// defect 5: the settlement of a Redis-admitted permit released during an outage
		// was dropped
		RedisPartitionState state = state(policy(2, Limit.of(Dimension.OUTPUT_TOKENS, 10_000, MINUTE)));
		Cost estimate = new Cost(1, 0, 100);
		Attempt admitted = state.tryAdmit(estimate);
		assertThat(admitted.isAdmitted()).isTrue();
		outage();
		state.release(admitted.grant(), estimate, new Cost(1, 0, 900), true);
		recovery();
		assertThat(state.tryAdmit(new Cost(1, 0, 1)).isAdmitted()).isTrue();
		await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
			assertThat(windowSum("o60000000")).isEqualTo(901);
			assertThat(this.redis.sync().zcard(keys().leases())).as("the outage's lease released, the new one held")
				.isEqualTo(1);
		});
		assertThat(this.states.uncarriedSettlements()).isZero();
	}

	@Test
	void theDebtOfAPermitAdmittedByTheFallbackReachesRedisAfterRecovery() {
		// defect 5: settled against the discarded fallback, the debt never reached Redis
		RedisPartitionState state = state(policy(0, Limit.of(Dimension.OUTPUT_TOKENS, 10_000, MINUTE)));
		Cost estimate = new Cost(1, 0, 100);
		outage();
		Attempt local = state.tryAdmit(estimate);
		assertThat(local.isAdmitted()).isTrue();
		recovery();
		assertThat(state.tryAdmit(new Cost(1, 0, 1)).isAdmitted()).isTrue(); // charges
																				// the
																				// fallback's
																				// 100
		state.release(local.grant(), estimate, new Cost(1, 0, 900), true);
		await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(windowSum("o60000000")).isEqualTo(901));
	}

	@Test
	void aSettlementThatCannotBeCarriedIsCountedAndReported() {
		RedisPartitionState state = state(policy(0, Limit.of(Dimension.OUTPUT_TOKENS, 10_000, MINUTE)));
		Cost estimate = new Cost(1, 0, 100);
		Attempt admitted = state.tryAdmit(estimate);
		outage();
		state.release(admitted.grant(), estimate, new Cost(1, 0, 900), true);
		state.release(admitted.grant(), estimate, new Cost(1, 0, 900), true); // the same
																				// permit:
																				// kept
																				// once
		recovery();
		this.scripts.failWhen = (args) -> "settle".equals(args.get(0));
		int before = this.degradedEvents.get();
		assertThat(state.tryAdmit(new Cost(1, 0, 1)).isAdmitted()).isTrue();
		await().atMost(Duration.ofSeconds(2)).until(() -> this.states.uncarriedSettlements() == 1);
		assertThat(this.degradedEvents.get()).isGreaterThan(before);
	}

	@Test
	void aLateReplyDoesNotOpenTheBreaker() {
		// issue 12: one reply past its deadline (status -1) opened the breaker for the
		// whole provider
		RedisPartitionState state = state(policy(0, Limit.of(Dimension.REQUESTS, 100, MINUTE)));
		AtomicInteger rewritten = new AtomicInteger();
		this.scripts.rewrite = (args) -> {
			if (!"admit".equals(args.get(0)) || rewritten.getAndIncrement() > 0) {
				return args;
			}
			List<String> late = new ArrayList<>(args);
			late.set(2, "1"); // a deadline long past when the script runs
			return late;
		};
		Attempt first = state.tryAdmit(Cost.oneRequest());
		assertThat(first.isAdmitted()).isFalse();
		assertThat(this.states.degraded()).isFalse();
		assertThat(this.states.lateReplies()).isEqualTo(1);
		assertThat(state.tryAdmit(Cost.oneRequest()).isAdmitted()).isTrue();
		assertThat(windowSum("r60000000")).as("admitted by Redis, not by a fallback").isEqualTo(1);
		assertThat(this.states.degradedDecisions()).isZero();
	}

	@Test
	void aWaitFarBeyondMaxWaitIsRefusedAtOnce() throws Exception {
		// defect 11: the caller waited out max-wait although the script had answered a
		// wait of a minute
		ThrottlePolicy policy = policy(0, Limit.of(Dimension.REQUESTS, 1, MINUTE)).withMaxWait(Duration.ofSeconds(2));
		try (RedisInstances.Instance instance = new RedisInstances.Instance(TestRedis.SHARED, this.settings, policy,
				ThrottleListener.NONE)) {
			instance.throttler.acquire(null, Cost.oneRequest()).release(null);
			for (int i = 0; i < 2; i++) {
				long start = System.nanoTime();
				CompletableFuture<Permit> refused = instance.throttler.acquireAsync(null, Cost.oneRequest());
				assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> refused.get(5, TimeUnit.SECONDS))
					.withCauseInstanceOf(MaxWaitExceededException.class);
				long millis = (System.nanoTime() - start) / 1_000_000;
				assertThat(millis).as("refused without waiting out max-wait (attempt %d)", i).isLessThan(1_000);
			}
		}
	}

	@Test
	void aLearnedLimitIsAskedAgainInsteadOfTheCachedWait() {
		// issue 12: the cached "not before" survived learnLimit
		ThrottlePolicy policy = policy(0, Limit.of(Dimension.REQUESTS, 10, MINUTE));
		RedisPartitionState state = state(policy);
		assertThat(state.learnLimit(Dimension.REQUESTS, 1, MINUTE)).isTrue();
		assertThat(state.tryAdmit(Cost.oneRequest()).isAdmitted()).isTrue();
		assertThat(state.tryAdmit(Cost.oneRequest()).waitNanos()).isGreaterThan(Duration.ofSeconds(50).toNanos());
		assertThat(state.learnLimit(Dimension.REQUESTS, 10, MINUTE)).isTrue();
		assertThat(state.tryAdmit(Cost.oneRequest()).isAdmitted()).isTrue();
	}

	@Test
	void theFigureOfAnotherLimitOfTheDimensionIsNotLearned() {
		// issue 14: with 240 per minute and 40 per 10 s, headers reporting 40 (read as
		// per
		// minute) made the per-minute limit 40 per minute
		ThrottlePolicy policy = ThrottlePolicy.of("sim", 0, Limit.of(Dimension.REQUESTS, 240, MINUTE),
				Limit.of(Dimension.REQUESTS, 40, Duration.ofSeconds(10)));
		RedisPartitionState state = state(policy);
		assertThat(state.learnLimit(Dimension.REQUESTS, 40, MINUTE)).isFalse();
		assertThat(state.limits()).extracting((limit) -> limit.limit().amount()).containsExactly(240L, 40L);
		assertThat(state.learnLimit(Dimension.REQUESTS, 120, MINUTE)).isTrue();
	}

	@Test
	void anAppliedPolicyIsAskedAgainInsteadOfTheCachedWait() {
		// issue 12: the cached "not before" survived apply
		// a burst of two periods: the pacing owed (rescaled to the new rate by the policy
		// change) is no obstacle
		RedisPartitionState state = state(
				policy(0, Limit.of(Dimension.REQUESTS, 1, MINUTE)).withBurst(MINUTE.multipliedBy(2)));
		assertThat(state.tryAdmit(Cost.oneRequest()).isAdmitted()).isTrue();
		assertThat(state.tryAdmit(Cost.oneRequest()).isAdmitted()).isFalse();
		state.apply(policy(0, Limit.of(Dimension.REQUESTS, 10, MINUTE)).withBurst(MINUTE.multipliedBy(2)));
		assertThat(state.tryAdmit(Cost.oneRequest()).isAdmitted()).isTrue();
	}

	@Test
	void learnApplyLearnNeverMultipliesThePacingOwed() {
		// h-engine2: apply kept the pacing owed at the learned rate, so each learn ->
		// apply -> learn multiplied it
		ThrottlePolicy policy = policy(0, Limit.of(Dimension.REQUESTS, 60, MINUTE)).withBurst(Duration.ZERO);
		RedisPartitionState state = state(policy);
		assertThat(state.tryAdmit(Cost.oneRequest()).isAdmitted()).isTrue();
		assertThat(state.learnLimit(Dimension.REQUESTS, 6, MINUTE)).isTrue();
		state.apply(policy);
		// back at 60 a minute: one request owed is 1.01 s of pacing, not the 10.1 s it
		// was at 6 a minute
		assertThat(state.tryAdmit(Cost.oneRequest()).waitNanos())
			.isLessThanOrEqualTo(Duration.ofMillis(1_010).toNanos());
		assertThat(state.learnLimit(Dimension.REQUESTS, 6, MINUTE)).isTrue();
		// one request owed at 6 a minute: at most 10.1 s, not 10 times that
		assertThat(state.tryAdmit(Cost.oneRequest()).waitNanos()).isPositive()
			.isLessThanOrEqualTo(Duration.ofMillis(10_100).toNanos());
	}

	@Test
	void aLeaseReleasedWhileItsRenewalIsOnTheWayIsNotCountedLost() {
		// issue 12: lostLeases over-counted when a renew raced a settle
		RedisPartitionState state = state(policy(2, Limit.of(Dimension.REQUESTS, 100, MINUTE)));
		Attempt admitted = state.tryAdmit(Cost.oneRequest());
		this.scripts.holdRenewals = true;
		state.renewLeases();
		state.release(admitted.grant(), Cost.oneRequest(), null, true);
		this.scripts.releaseHeld();
		await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> this.states.lostLeases() == 0);
	}

	@Test
	void absurdDurationsFromAProviderNeitherThrowNorOutlastADay() {
		// defect 9: Duration.toNanos() overflowed on a reset or cooldown of 9999-12-31
		RedisPartitionState state = state(policy(0, Limit.of(Dimension.REQUESTS, 100, MINUTE)));
		Duration absurd = Duration.ofSeconds(Long.MAX_VALUE);
		state.reportRemaining(Dimension.REQUESTS, 0, absurd, -1);
		assertThat(state.coolDown(absurd, "HTTP 429")).isTrue();
		assertThat(state.cooldownRemaining()).isPositive().isLessThanOrEqualTo(Duration.ofDays(1));
		await().atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(this.redis.sync().pttl(keys().cooldown())).isPositive()
				.isLessThanOrEqualTo(Duration.ofDays(1).plusSeconds(1).toMillis()));
		assertThat(this.states.degraded()).isFalse();
	}

	@Test
	void aChargeNeverBlocksItsCaller() {
		// PartitionState's contract: everything but tryAdmit and release may run on an
		// event loop. A generous
		// command timeout: a reply older than that would be dropped (and charged again)
		// on a slow machine.
		this.states.close();
		this.states = new RedisPartitionStates("sim", this.scripts,
				this.settings.withCommandTimeout(Duration.ofSeconds(10)), this.time, this.listener);
		RedisPartitionState state = state(policy(0, Limit.of(Dimension.REQUESTS, 100, MINUTE)));
		CompletableFuture<Void> blocked = new CompletableFuture<>();
		this.scripts.gate = blocked; // the script runs only when the test lets it go
		CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> state.tryCharge(Cost.oneRequest()));
		await().atMost(Duration.ofSeconds(1)).until(first::isDone);
		assertThat(first.join()).as("asks again after about a round trip")
			.isPositive()
			.isLessThanOrEqualTo(Duration.ofMillis(1).toNanos());
		assertThat(state.tryCharge(Cost.oneRequest())).as("still on its way").isPositive();
		this.scripts.gate = null;
		blocked.complete(null);
		assertThat(charge(state, Cost.oneRequest())).isZero();
		assertThat(windowSum("r60000000")).as("charged once").isEqualTo(1);
	}

	@Test
	void anInterruptedCallerNeitherOpensTheBreakerNorLosesItsFlag() {
		// rule R3: an admission or release on an interrupted thread is not a Redis
		// failure
		RedisPartitionState state = state(policy(0, Limit.of(Dimension.REQUESTS, 100, MINUTE)));
		Thread.currentThread().interrupt();
		try {
			assertThat(state.tryAdmit(Cost.oneRequest()).isAdmitted()).isTrue();
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
		}
		finally {
			Thread.interrupted();
		}
		assertThat(this.states.degraded()).isFalse();
		assertThat(windowSum("r60000000")).isEqualTo(1);
	}

	/**
	 * Calls tryCharge until it decides (0, or a wait longer than the poll of a charge on
	 * its way).
	 */
	private static long charge(RedisPartitionState state, Cost cost) {
		long[] answer = new long[1];
		await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(1)).until(() -> {
			answer[0] = state.tryCharge(cost);
			return answer[0] == 0 || answer[0] > Duration.ofMillis(1).toNanos();
		});
		return answer[0];
	}

	private RedisPartitionState state(ThrottlePolicy policy) {
		return (RedisPartitionState) this.states.create(policy, "default", new ReentrantLock(), this.time);
	}

	private static ThrottlePolicy policy(int maxConcurrent, Limit limit) {
		return ThrottlePolicy.of("sim", maxConcurrent, limit).withBurst(MINUTE).withMaxWait(Duration.ofMinutes(10));
	}

	private void outage() {
		this.scripts.down = true;
		this.states.health().failed(new IllegalStateException("test outage"));
	}

	private void recovery() {
		this.scripts.down = false;
		this.states.health().succeeded();
	}

	private RedisKeys keys() {
		return RedisKeys.of(this.settings.keyPrefix(), "sim", "default");
	}

	private long windowSum(String id) {
		String value = this.redis.sync().hget(keys().state(), "n:" + id);
		return (value != null) ? Long.parseLong(value) : 0;
	}

}
