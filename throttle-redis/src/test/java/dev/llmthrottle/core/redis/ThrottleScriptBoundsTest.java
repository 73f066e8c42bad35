package dev.llmthrottle.core.redis;

import dev.llmthrottle.test.junit.RequiresRedis;
import java.time.Duration;
import java.util.ArrayList;
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
 * {@code throttle.lua} against absurd inputs (issue 11, defects 3 and 9): no value can
 * make the script fail or push a key beyond a bounded horizon, and a dimension a call
 * does not spend is still enforced (rule R1).
 */
@RequiresRedis
class ThrottleScriptBoundsTest {

	private static final long T0 = 1_000_000_000_000L;

	private static final long BURST = 3_600_000_000L;

	/** 1.01 s: the guarded period of a one-second limit. */
	private static final long PERIOD = 1_010_000;

	/**
	 * The script's own bound on a cooldown (two of the longest period it accepts);
	 * callers cap it first.
	 */
	private static final long MAX_COOLDOWN_MILLIS = 6_000_000_000L;

	private static LettuceRedisScripts scripts;

	private static TestRedis redis;

	private RedisKeys keys;

	private final List<ScriptLimit> limits = List.of(
			ScriptLimit.of(Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1))),
			ScriptLimit.of(Limit.of(Dimension.OUTPUT_TOKENS, 1000, Duration.ofSeconds(1))));

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
	void aZeroCostDimensionInDebtHoldsEveryoneBack() {
		AdmitReply first = admit(T0, new Cost(1, 0, 0));
		assertThat(first.status()).isEqualTo(1);
		// estimated at 0 output tokens, settled at 1,000: the window is full
		settle(T0 + 1, first.buckets(), new long[] { 1, 0 }, new long[] { 1, 1000 });
		AdmitReply next = admit(T0 + 2, new Cost(1, 0, 0));
		assertThat(next.status()).as("a call estimated at 0 output tokens waits for the output window").isZero();
		assertThat(next.blockedBy()).isEqualTo("o1000000");
		// not charged at admission: the debt went to the bucket of its settlement, which
		// leaves at T0 + 1 + period
		assertThat(next.waitMicros()).isEqualTo(PERIOD - 1);
		assertThat(admit(T0 + 1 + PERIOD, new Cost(1, 0, 0)).status()).isEqualTo(1);
	}

	@Test
	void aHugeSettlementIsADebtOfAtMostOneAmountAndNoKeyOutlivesTwoPeriods() {
		for (long actual : new long[] { 100_000_000_000_000L, 9_200_000_000_000_000_000L, Long.MAX_VALUE }) {
			freshPartition();
			AdmitReply first = admit(T0, new Cost(1, 0, 500));
			List<Object> reply = settle(T0 + 1, first.buckets(), new long[] { 1, 500 }, new long[] { 1, actual });
			assertThat(reply).as("settled %d", actual).hasSize(2);
			assertThat(windowSum("o1000000")).as("estimate + one amount").isEqualTo(1500);
			assertBoundedTtls(2 * PERIOD);
			AdmitReply blocked = admit(T0 + 2, new Cost(1, 0, 0));
			assertThat(blocked.status()).isZero();
			assertThat(blocked.waitMicros()).as("at most two periods of pacing").isLessThanOrEqualTo(2 * PERIOD);
			// a second report of the same absurd size never wraps the sum or lifts the
			// limit
			settle(T0 + 3, new long[] { -1, -1 }, new long[] { 0, 0 }, new long[] { 0, actual });
			assertThat(windowSum("o1000000")).isEqualTo(2000);
			assertThat(admit(T0 + 4, new Cost(1, 0, 0)).status()).isZero();
			assertThat(admit(T0 + 4 + 2 * PERIOD, new Cost(1, 0, 1)).status()).isEqualTo(1);
		}
	}

	@Test
	void garbageArgumentsNeverFailTheScript() {
		List<String> garbage = List.of("nan", "-nan", "inf", "-inf", "1e308", "-1e308", "9223372036854775807",
				"-9223372036854775808", "", "x");
		for (String value : garbage) {
			admit(T0, new Cost(1, 0, 1));
			List<String> settle = new ArrayList<>(PartitionScript.settle(T0 + 1, "", this.limits, new long[] { 0, 0 },
					new long[] { 1, 1 }, new long[] { 1, 1 }));
			for (int i = 7; i < settle.size(); i += 6) {
				settle.set(i, value); // bucket
				settle.set(i + 1, value); // admitted
				settle.set(i + 2, value); // actual
			}
			assertThat(eval(settle)).hasSize(2);
			List<String> report = new ArrayList<>(PartitionScript.report(T0 + 2, this.limits, new long[] { 1, 1 }, 1));
			report.set(6, value);
			report.set(7, value);
			assertThat(eval(report)).hasSize(2);
			assertThat(eval(List.of("cooldown", Long.toString(T0 + 3), value, "r"))).hasSize(2);
			List<String> admit = new ArrayList<>(PartitionScript.admit(T0 + 4, 0, "lease", 2, 1_000_000, 50_000,
					this.limits, new long[] { 0, 0 }, Cost.oneRequest()));
			admit.set(2, value); // deadline
			admit.set(5, value); // lease TTL
			admit.set(9, value); // amount
			admit.set(11, value); // burst
			admit.set(12, value); // cost
			assertThat(eval(admit)).as(value).isNotEmpty();
			assertBoundedTtls(2 * PERIOD);
			long pttl = redis.sync().pttl(this.keys.cooldown());
			assertThat(pttl).as("a cooldown is bounded (and the margin)")
				.isLessThanOrEqualTo(MAX_COOLDOWN_MILLIS + 1_000);
		}
	}

	@Test
	void absurdReportsAndCooldownsAreClamped() {
		admit(T0, new Cost(1, 0, 1));
		eval(PartitionScript.report(T0 + 1, this.limits, new long[] { 0, 0 }, Long.MAX_VALUE));
		AdmitReply held = admit(T0 + 2, new Cost(1, 0, 1));
		assertThat(held.status()).isZero();
		assertThat(held.waitMicros()).as("held back for at most one period").isLessThanOrEqualTo(PERIOD);
		eval(PartitionScript.coolDown(T0 + 3, Long.MAX_VALUE, "absurd"));
		AdmitReply cooling = admit(T0 + 4, new Cost(1, 0, 1));
		assertThat(cooling.blockedBy()).isEqualTo("cooldown");
		assertThat(cooling.waitMicros()).isLessThanOrEqualTo(MAX_COOLDOWN_MILLIS * 1000);
		assertThat(redis.sync().pttl(this.keys.cooldown())).isBetween(1L, MAX_COOLDOWN_MILLIS + 1_000);
	}

	private void assertBoundedTtls(long horizonMicros) {
		long max = (horizonMicros + 1_000_000) / 1000 + 1;
		for (String key : redis.scan(this.keys.prefix() + "*")) {
			if (!key.equals(this.keys.cooldown())) {
				assertThat(redis.sync().pttl(key)).as(key).isLessThanOrEqualTo(max);
			}
		}
	}

	private long windowSum(String id) {
		return Long.parseLong(redis.sync().hget(this.keys.state(), "n:" + id));
	}

	private AdmitReply admit(long now, Cost cost) {
		return AdmitReply.parse(eval(PartitionScript.admit(now, 0, "", 0, 1_000_000, 50_000, this.limits,
				new long[] { BURST, BURST }, cost)), this.limits.size());
	}

	private List<Object> settle(long now, long[] buckets, long[] admitted, long[] actual) {
		return eval(PartitionScript.settle(now, "", this.limits, buckets, admitted, actual));
	}

	private List<Object> eval(List<String> args) {
		return scripts.eval(LuaScript.THROTTLE, PartitionScript.keys(this.keys, this.limits), args).join();
	}

}
