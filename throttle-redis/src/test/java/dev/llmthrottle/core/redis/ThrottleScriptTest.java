package dev.llmthrottle.core.redis;

import dev.llmthrottle.test.junit.RequiresRedis;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.redis.PartitionScript.AdmitReply;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code throttle.lua} on a real Redis with an explicit {@code now} (microseconds), one
 * dimension at a time: the trailing window with its 1% guard, pacing and burst, settling,
 * concurrency leases (expiry, renewal, unknown release), cooldown, reported remaining,
 * the admission deadline, TTLs and the {@code NOSCRIPT} fallback.
 */
@RequiresRedis
class ThrottleScriptTest {

	private static final long T0 = 1_000_000_000_000L;

	private static final long NO_BURST = 0;

	private static final long LONG_BURST = 3_600_000_000L;

	private static LettuceRedisScripts scripts;

	private static TestRedis redis;

	private RedisKeys keys;

	@BeforeAll
	static void connect() {
		scripts = TestRedis.scripts(TestRedis.SHARED, Duration.ofSeconds(2));
		redis = new TestRedis(TestRedis.SHARED);
	}

	@AfterAll
	static void disconnect() {
		scripts.close();
		redis.close();
	}

	@BeforeEach
	void freshPartition() {
		this.keys = RedisKeys.of(TestRedis.uniquePrefix(), "sim", "default");
	}

	@Test
	void requestsArePacedAtTheGuardedRate() {
		List<ScriptLimit> limits = limits(Limit.of(Dimension.REQUESTS, 2, Duration.ofSeconds(1)));
		assertThat(admit(T0, limits, Cost.oneRequest(), NO_BURST).status()).isEqualTo(1);
		AdmitReply paced = admit(T0, limits, Cost.oneRequest(), NO_BURST);
		assertThat(paced.status()).isZero();
		assertThat(paced.waitMicros()).isEqualTo(505_000); // 1.01 s / 2
		assertThat(paced.blockedBy()).isEqualTo("r1000000");
		assertThat(admit(T0 + 505_000, limits, Cost.oneRequest(), NO_BURST).status()).isEqualTo(1);
	}

	@Test
	void theTrailingWindowCapsABurst() {
		List<ScriptLimit> limits = limits(Limit.of(Dimension.REQUESTS, 3, Duration.ofSeconds(1)));
		for (int i = 0; i < 3; i++) {
			assertThat(admit(T0 + i, limits, Cost.oneRequest(), LONG_BURST).status()).isEqualTo(1);
		}
		AdmitReply full = admit(T0 + 10, limits, Cost.oneRequest(), LONG_BURST);
		assertThat(full.status()).isZero();
		// the oldest bucket (stamped with its latest admission, T0 + 2) leaves at T0 + 2
		// + 1.01 s
		assertThat(full.waitMicros()).isEqualTo(1_010_000 + 2 - 10);
		AdmitReply admitted = admit(T0 + 1_010_002, limits, Cost.oneRequest(), LONG_BURST);
		assertThat(admitted.status()).isEqualTo(1);
		assertThat(admitted.sums()).containsExactly(1);
	}

	@Test
	void everyDimensionMustHaveRoomAndNothingIsTakenOtherwise() {
		List<ScriptLimit> limits = limits(Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1)),
				Limit.of(Dimension.INPUT_TOKENS, 1000, Duration.ofSeconds(1)),
				Limit.of(Dimension.OUTPUT_TOKENS, 500, Duration.ofMinutes(1)));
		assertThat(admit(T0, limits, Cost.of(600, 400), LONG_BURST).status()).isEqualTo(1);
		AdmitReply blocked = admit(T0, limits, Cost.of(100, 200), LONG_BURST);
		assertThat(blocked.status()).isZero();
		assertThat(blocked.blockedBy()).isEqualTo("o60000000");
		assertThat(blocked.waitMicros()).isEqualTo(60_600_000);
		AdmitReply small = admit(T0, limits, Cost.of(400, 100), LONG_BURST);
		assertThat(small.status()).isEqualTo(1);
		assertThat(small.sums()).containsExactly(2, 1000, 500);
	}

	@Test
	void aRefundFreesWindowRoomAndADebtTakesIt() {
		List<ScriptLimit> limits = limits(Limit.of(Dimension.TOKENS, 1000, Duration.ofSeconds(1)));
		AdmitReply first = admit(T0, limits, Cost.of(0, 800), LONG_BURST);
		assertThat(admit(T0, limits, Cost.of(0, 300), LONG_BURST).status()).isZero();
		settle(T0 + 1, "", limits, first.buckets(), new long[] { 800 }, new long[] { 500 });
		AdmitReply second = admit(T0 + 2, limits, Cost.of(0, 300), LONG_BURST);
		assertThat(second.status()).isEqualTo(1);
		assertThat(second.sums()).containsExactly(800);
		settle(T0 + 3, "", limits, second.buckets(), new long[] { 300 }, new long[] { 500 });
		AdmitReply third = admit(T0 + 4, limits, Cost.of(0, 1), LONG_BURST);
		assertThat(third.status()).isZero();
		assertThat(third.waitMicros()).isEqualTo(1_010_000 + 2 - 4);
	}

	@Test
	void aRefundNeverErasesADebtAddedToATrimmedBucket() {
		// as PacedWindowTest: a call admitted under 10, the amount learned down to 1, two
		// debts settled into the
		// call's bucket (the cap keeps 2 units of 10), then the call refunded: its units
		// were the ones dropped
		List<ScriptLimit> before = limits(Limit.of(Dimension.OUTPUT_TOKENS, 10, Duration.ofSeconds(1)));
		List<ScriptLimit> limits = limits(Limit.of(Dimension.OUTPUT_TOKENS, 1, Duration.ofSeconds(1)));
		AdmitReply call = admit(T0, before, new Cost(0, 0, 8), LONG_BURST);
		assertThat(call.status()).isEqualTo(1);
		eval(PartitionScript.relearn(T0, limits, new long[] { 10 }, true), limits);
		settle(T0, "", limits, call.buckets(), new long[] { 0 }, new long[] { 1 });
		settle(T0, "", limits, call.buckets(), new long[] { 0 }, new long[] { 1 });
		settle(T0, "", limits, call.buckets(), new long[] { 8 }, new long[] { 0 });
		AdmitReply free = admit(T0, limits, new Cost(0, 0, 0), LONG_BURST);
		assertThat(free.status()).as("a cost-0 call waits for the two debts to leave (R1)").isZero();
		assertThat(free.waitMicros()).isEqualTo(1_010_000);
	}

	@Test
	void refundsTakeBackOnlyWhatTheCapKept() {
		List<ScriptLimit> limits = limits(Limit.of(Dimension.TOKENS, 10, Duration.ofSeconds(1)));
		AdmitReply first = admit(T0, limits, Cost.of(0, 6), LONG_BURST);
		AdmitReply second = admit(T0, limits, Cost.of(0, 4), LONG_BURST);
		settle(T0, "", limits, first.buckets(), new long[] { 0 }, new long[] { 10 });
		settle(T0, "", limits, first.buckets(), new long[] { 0 }, new long[] { 6 });
		// 26 in the bucket, 20 kept; an unbounded window holds 20 after the first refund
		// and 16 after the second
		assertThat(windowSum(limits)).isEqualTo("20");
		settle(T0, "", limits, first.buckets(), new long[] { 6 }, new long[] { 0 });
		assertThat(windowSum(limits)).isEqualTo("20");
		settle(T0, "", limits, second.buckets(), new long[] { 4 }, new long[] { 0 });
		assertThat(windowSum(limits)).isEqualTo("16");
		AdmitReply next = admit(T0 + 1, limits, Cost.of(0, 1), LONG_BURST);
		assertThat(next.status()).isZero();
		// the bucket leaves at T0 + 1.01 s (pacing, with the long burst, allows it at
		// once)
		assertThat(next.waitMicros()).isEqualTo(1_010_000 - 1);
	}

	@Test
	void aRaisedAmountSeesWhatTheCapDroppedUnderTheLowerOne() {
		// as PacedWindowTest: two debts trimmed at twice 10, then the amount raised to 30
		List<ScriptLimit> before = limits(Limit.of(Dimension.TOKENS, 10, Duration.ofSeconds(1)));
		List<ScriptLimit> raised = limits(Limit.of(Dimension.TOKENS, 30, Duration.ofSeconds(1)));
		assertThat(admit(T0, before, Cost.of(0, 8), LONG_BURST).status()).isEqualTo(1);
		settle(T0 + 100_000, "", before, new long[] { -1 }, new long[] { 0 }, new long[] { 10 });
		settle(T0 + 100_000, "", before, new long[] { -1 }, new long[] { 0 }, new long[] { 10 });
		assertThat(windowSum(before)).as("28 admitted, 20 kept").isEqualTo("20");
		eval(PartitionScript.relearn(T0 + 100_000, raised, new long[] { 10 }, true), raised);
		assertThat(windowSum(raised)).as("all 28 within twice the raised amount").isEqualTo("28");
		AdmitReply tooLarge = admit(T0 + 100_000, raised, Cost.of(0, 3), LONG_BURST);
		assertThat(tooLarge.status()).isZero();
		assertThat(tooLarge.waitMicros()).as("until the first 8 leave").isEqualTo(1_010_000 - 100_000);
		assertThat(admit(T0 + 100_000, raised, Cost.of(0, 2), LONG_BURST).status()).isEqualTo(1);
	}

	@Test
	void aRefundMovesPacingBackButNotBeforeNow() {
		List<ScriptLimit> limits = limits(Limit.of(Dimension.TOKENS, 1000, Duration.ofSeconds(1)));
		AdmitReply first = admit(T0, limits, Cost.of(0, 500), NO_BURST);
		assertThat(admit(T0, limits, Cost.of(0, 1), NO_BURST).waitMicros()).isEqualTo(505_000);
		settle(T0 + 100_000, "", limits, first.buckets(), new long[] { 500 }, new long[] { 100 });
		// 400 tokens refunded = 404,000 µs of pacing: from T0 + 505,000 back to T0 +
		// 101,000
		assertThat(admit(T0 + 100_000, limits, Cost.of(0, 1), NO_BURST).waitMicros()).isEqualTo(1_000);
		settle(T0 + 200_000, "", limits, first.buckets(), new long[] { 100 }, new long[] { 0 });
		assertThat(admit(T0 + 200_000, limits, Cost.of(0, 1), NO_BURST).status()).isEqualTo(1);
	}

	@Test
	void leasesCapConcurrencyExpireAndAreReleasedOnce() {
		List<ScriptLimit> limits = limits(Limit.of(Dimension.REQUESTS, 100, Duration.ofSeconds(1)));
		assertThat(admitLeased(T0, "a", 2, limits).status()).isEqualTo(1);
		assertThat(admitLeased(T0 + 1, "b", 2, limits).status()).isEqualTo(1);
		AdmitReply full = admitLeased(T0 + 2, "c", 2, limits);
		assertThat(full.status()).isZero();
		assertThat(full.blockedBy()).isEqualTo("concurrency");
		assertThat(full.waitMicros()).isEqualTo(50_000); // the soonest expiry is 1 s
															// away: ask again after the
															// poll
		assertThat(settle(T0 + 3, "b", limits, new long[] { -1 }, new long[] { 1 }, new long[] { 1 })).isEqualTo(1);
		assertThat(settle(T0 + 4, "b", limits, new long[] { -1 }, new long[] { 1 }, new long[] { 1 }))
			.as("a second release of the same lease is detected, not counted")
			.isZero();
		assertThat(admitLeased(T0 + 5, "c", 2, limits).status()).isEqualTo(1);
		// 'a' expires one lease TTL (1 s) after it was taken: reclaimed by the next
		// admission
		assertThat(admitLeased(T0 + 1_000_001, "d", 2, limits).status()).isEqualTo(1);
		assertThat(settle(T0 + 1_000_002, "a", limits, new long[] { -1 }, new long[] { 1 }, new long[] { 1 }))
			.as("an expired lease is not released twice")
			.isZero();
		assertThat(settle(T0 + 1_000_003, "never-taken", limits, new long[] { -1 }, new long[] { 1 }, new long[] { 1 }))
			.isZero();
	}

	@Test
	void renewalKeepsALeaseAndReportsLostOnes() {
		List<ScriptLimit> limits = limits(Limit.of(Dimension.REQUESTS, 100, Duration.ofSeconds(1)));
		assertThat(admitLeased(T0, "a", 1, limits).status()).isEqualTo(1);
		List<Object> renewed = eval(PartitionScript.renew(T0 + 500_000, 1_000_000, List.of("a", "gone")), limits);
		assertThat(renewed.subList(0, 2)).containsExactly(1L, 1L);
		AdmitReply blocked = admitLeased(T0 + 1_200_000, "b", 1, limits);
		assertThat(blocked.status()).as("renewed until T0 + 1.5 s").isZero();
		assertThat(admitLeased(T0 + 1_500_001, "b", 1, limits).status()).isEqualTo(1);
	}

	@Test
	void aCooldownBlocksEveryoneAndALongerOneIsKept() {
		List<ScriptLimit> limits = limits(Limit.of(Dimension.REQUESTS, 100, Duration.ofSeconds(1)));
		assertThat(eval(PartitionScript.coolDown(T0, 2_000, "HTTP 429"), limits).get(0)).isEqualTo(1L);
		assertThat(eval(PartitionScript.coolDown(T0 + 1_000, 500, "shorter"), limits).get(0)).isEqualTo(0L);
		AdmitReply blocked = admit(T0 + 500_000, limits, Cost.oneRequest(), LONG_BURST);
		assertThat(blocked.status()).isZero();
		assertThat(blocked.blockedBy()).isEqualTo("cooldown");
		assertThat(blocked.cooldownReason()).isEqualTo("HTTP 429");
		assertThat(blocked.waitMicros()).isEqualTo(1_500_000L);
		assertThat(admit(T0 + 2_000_000, limits, Cost.oneRequest(), LONG_BURST).status()).isEqualTo(1);
		// the instant decides; the key lives a margin longer, only to be cleaned up
		assertThat(redis.sync().pttl(this.keys.cooldown())).isBetween(1L, 3_000L);
	}

	@Test
	void reportedRemainingHoldsTheDifferenceBackUntilTheReset() {
		List<ScriptLimit> limits = limits(Limit.of(Dimension.REQUESTS, 100, Duration.ofSeconds(1)));
		assertThat(admit(T0, limits, new Cost(10, 0, 0), LONG_BURST).status()).isEqualTo(1);
		eval(PartitionScript.report(T0 + 1, limits, new long[] { 50 }, 500_000), limits);
		AdmitReply blocked = admit(T0 + 2, limits, new Cost(51, 0, 0), LONG_BURST);
		assertThat(blocked.status()).isZero();
		assertThat(blocked.waitMicros()).isEqualTo(500_000 + 1 - 2);
		assertThat(admit(T0 + 2, limits, new Cost(50, 0, 0), LONG_BURST).status()).isEqualTo(1);
	}

	@Test
	void anAdmissionArrivingAfterItsDeadlineTakesNothing() {
		List<ScriptLimit> limits = limits(Limit.of(Dimension.REQUESTS, 100, Duration.ofSeconds(1)));
		AdmitReply late = AdmitReply.parse(eval(PartitionScript.admit(T0, T0 - 1, "a", 1, 1_000_000, 50_000, limits,
				bursts(limits, 0), Cost.oneRequest()), limits), limits.size());
		assertThat(late.status()).isEqualTo(-1);
		assertThat(redis.scan(this.keys.prefix() + "*")).isEmpty();
	}

	@Test
	void everyKeyHasATtlOfItsLongestPeriodPlusAMargin() {
		List<ScriptLimit> limits = limits(Limit.of(Dimension.REQUESTS, 100, Duration.ofSeconds(2)),
				Limit.of(Dimension.TOKENS, 100_000, Duration.ofSeconds(10)));
		AdmitReply admitted = AdmitReply.parse(
				eval(PartitionScript.admit(0, 0, "a", 5, 3_000_000, 50_000, limits, bursts(limits, 0), Cost.of(10, 10)),
						limits),
				limits.size());
		assertThat(admitted.status()).isEqualTo(1);
		eval(PartitionScript.coolDown(1_500, "test"), limits);
		List<String> all = redis.scan(this.keys.prefix() + "*");
		assertThat(all).hasSize(5);
		for (String key : all) {
			long pttl = redis.sync().pttl(key);
			long max = key.equals(this.keys.leases()) ? 4_000 : key.equals(this.keys.cooldown()) ? 2_500 : 11_100;
			assertThat(pttl).as(key).isPositive().isLessThanOrEqualTo(max);
		}
	}

	@Test
	void aFlushedScriptIsSentAgain() throws Exception {
		// SCRIPT FLUSH on a private server: the shared one serves other builds
		List<ScriptLimit> limits = limits(Limit.of(Dimension.REQUESTS, 100, Duration.ofSeconds(1)));
		List<String> keys = PartitionScript.keys(this.keys, limits);
		List<String> args = PartitionScript.admit(T0, 0, "", 0, 1_000_000, 50_000, limits, bursts(limits, LONG_BURST),
				Cost.oneRequest());
		try (RedisServerProcess server = RedisServerProcess.start();
				TestRedis privateRedis = new TestRedis(server.uri());
				LettuceRedisScripts privateScripts = TestRedis.scripts(server.uri(), Duration.ofSeconds(2))) {
			assertThat(privateScripts.eval(LuaScript.THROTTLE, keys, args).join().get(0)).isEqualTo(1L);
			privateRedis.sync().scriptFlush();
			assertThat(privateScripts.eval(LuaScript.THROTTLE, keys, args).join().get(0)).isEqualTo(1L);
		}
	}

	private static List<ScriptLimit> limits(Limit... limits) {
		return java.util.Arrays.stream(limits).map(ScriptLimit::of).toList();
	}

	private static long[] bursts(List<ScriptLimit> limits, long burst) {
		long[] bursts = new long[limits.size()];
		java.util.Arrays.fill(bursts, burst);
		return bursts;
	}

	private AdmitReply admit(long now, List<ScriptLimit> limits, Cost cost, long burst) {
		return AdmitReply
			.parse(eval(PartitionScript.admit(now, 0, "", 0, 1_000_000, 50_000, limits, bursts(limits, burst), cost),
					limits), limits.size());
	}

	private AdmitReply admitLeased(long now, String lease, int max, List<ScriptLimit> limits) {
		return AdmitReply.parse(eval(PartitionScript.admit(now, 0, lease, max, 1_000_000, 50_000, limits,
				bursts(limits, LONG_BURST), Cost.oneRequest()), limits), limits.size());
	}

	private long settle(long now, String lease, List<ScriptLimit> limits, long[] buckets, long[] admitted,
			long[] actual) {
		return PartitionScript
			.number(eval(PartitionScript.settle(now, lease, limits, buckets, admitted, actual), limits).get(0));
	}

	private String windowSum(List<ScriptLimit> limits) {
		return redis.sync().hget(this.keys.state(), "n:" + limits.get(0).id());
	}

	private List<Object> eval(List<String> args, List<ScriptLimit> limits) {
		return scripts.eval(LuaScript.THROTTLE, PartitionScript.keys(this.keys, limits), args).join();
	}

}
