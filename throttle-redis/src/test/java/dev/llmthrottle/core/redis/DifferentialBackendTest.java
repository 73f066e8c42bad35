package dev.llmthrottle.core.redis;

import dev.llmthrottle.test.junit.RequiresRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Enforcement;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.LimitShape;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.PartitionState;
import dev.llmthrottle.core.admission.PartitionState.Attempt;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.core.redis.PartitionScript.AdmitReply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The differential test of the two backends (issue 11): the same seeded random traces
 * (admissions, charges under a held permit, releases settling refunds and debts, learned
 * limits, reported remaining, cooldowns, time jumps) through the in-memory
 * {@code LocalPartitionState} on a {@link VirtualTimeSource} and through
 * {@code throttle.lua} with an explicit {@code now}. Every decision must be the same:
 * admitted by both, or a wait from both of the same length within
 * {@link #TOLERANCE_NANOS} (the script counts in microseconds), with a concurrency wait
 * on both sides ("until a release" locally, a poll on Redis: the one documented
 * difference).
 *
 * <p>
 * Times are on a 2 ms grid and amounts divide the guarded periods in microseconds, so
 * pacing intervals are exact on both sides; a learned limit rescales pacing by a ratio,
 * which can leave the local instant a fraction of a microsecond from the script's: a
 * decision that differs only within the tolerance ends that trace (counted, never a
 * failure). On failure the seed and the trace so far are printed. Each limit is given a
 * random enforcement (issue 14: paced with the policy's or its own burst, sliding-window,
 * token-bucket, fixed-window), passed to the script as {@code RedisPartitionState} passes
 * it.
 */
@RequiresRedis
class DifferentialBackendTest {

	private static final int SEEDS = 1_000;

	private static final int STEPS = 40;

	private static final long TOLERANCE_NANOS = 1_000;

	private static final long LEASE_TTL_MICROS = 3_600_000_000L;

	private static final long POLL_MICROS = 50_000;

	private static LettuceRedisScripts scripts;

	@BeforeAll
	static void connect() {
		scripts = TestRedis.scripts(TestRedis.SHARED, Duration.ofSeconds(2));
	}

	@AfterAll
	static void disconnect() {
		scripts.close();
	}

	/**
	 * Traces within what both engines implement today: every call costs at least one unit
	 * in every limited dimension, at most three permits are held, and no settlement comes
	 * near the bounds of rule R2.
	 */
	@Test
	void bothBackendsDecideAlikeOnCommonTraces() {
		Outcome outcome = run(false);
		System.out.println("differential (common rules): " + outcome);
		assertThat(outcome.failures).as(outcome.firstFailure).isEmpty();
		assertThat(outcome.decisions).isGreaterThan(SEEDS * STEPS / 4);
	}

	/**
	 * Traces with the rules agreed for both engines: zero-cost dimensions (R1) and absurd
	 * debts (R2). Runs when the in-memory engine implements them; until then it reports
	 * the seeds where the backends differ and is skipped.
	 */
	@Test
	void bothBackendsDecideAlikeWithZeroCostsAndAbsurdDebts() {
		Outcome outcome = run(true);
		System.out.println("differential (R1, R2): " + outcome);
		assumeThat(localEngineImplementsR1AndR2())
			.as("the in-memory engine does not implement R1/R2 yet; differing seeds: %s; first: %s",
					outcome.failures.size(), outcome.firstFailure)
			.isTrue();
		assertThat(outcome.failures).as(outcome.firstFailure).isEmpty();
	}

	private Outcome run(boolean extended) {
		Outcome outcome = new Outcome();
		String prefix = TestRedis.uniquePrefix();
		long only = Long.getLong("llmthrottle.differential.seed", -1);
		for (int seed = 0; seed < SEEDS; seed++) {
			if (only >= 0 && seed != only) {
				continue;
			}
			Trace trace = new Trace(seed, extended, RedisKeys.of(prefix + (extended ? "x" : "c"), "sim", "s" + seed));
			try {
				trace.run(outcome);
			}
			catch (AssertionError | RuntimeException ex) {
				outcome.failures.add(seed);
				if (Boolean.getBoolean("llmthrottle.differential.verbose")) {
					System.out.println(
							"differential: seed " + seed + ": " + ex.getMessage().replace('\n', ' ') + " | " + String
								.join(" | ", trace.log.subList(Math.max(0, trace.log.size() - 4), trace.log.size())));
				}
				if (outcome.firstFailure == null) {
					outcome.firstFailure = "seed " + seed + ": " + ex.getMessage() + "\n"
							+ String.join("\n", trace.log);
					System.out.println("differential: failing " + outcome.firstFailure);
				}
			}
		}
		return outcome;
	}

	/**
	 * Whether {@code LocalPartitionState} holds back a zero-cost call over a window in
	 * debt and caps the debt.
	 */
	private static boolean localEngineImplementsR1AndR2() {
		VirtualTimeSource time = new VirtualTimeSource();
		Limit output = Limit.of(Dimension.OUTPUT_TOKENS, 1000, Duration.ofSeconds(1));
		PartitionState local = PartitionState.Factory.LOCAL.create(ThrottlePolicy.of("sim", 0, output), "k",
				new ReentrantLock(), time);
		Attempt admitted = local.tryAdmit(new Cost(1, 0, 10));
		local.release(admitted.grant(), new Cost(1, 0, 10), new Cost(1, 0, 100_000_000_000_000L), true);
		boolean r1 = !local.tryAdmit(new Cost(1, 0, 0)).isAdmitted();
		boolean r2 = local.limits().get(0).used() <= 2 * output.amount();
		return r1 && r2;
	}

	/** One seed's trace, applied to both backends step by step. */
	private static final class Trace {

		private static final Dimension[] DIMENSIONS = { Dimension.REQUESTS, Dimension.INPUT_TOKENS,
				Dimension.OUTPUT_TOKENS };

		private final long seed;

		private final SplittableRandom random;

		private final boolean extended;

		private final RedisKeys keys;

		private final VirtualTimeSource time = new VirtualTimeSource();

		private final List<String> log = new ArrayList<>();

		private final List<Limit> configured = new ArrayList<>();

		private List<ScriptLimit> current;

		private final ThrottlePolicy policy;

		private final PartitionState local;

		private final List<Held> held = new ArrayList<>();

		private int leaseCounter;

		Trace(long seed, boolean extended, RedisKeys keys) {
			this.seed = seed;
			this.random = new SplittableRandom(seed);
			this.extended = extended;
			this.keys = keys;
			for (Dimension dimension : DIMENSIONS) {
				if (dimension == Dimension.REQUESTS || this.random.nextInt(3) > 0) {
					Duration period = Duration.ofSeconds(1 + this.random.nextInt(2));
					long[] amounts = (dimension == Dimension.REQUESTS) ? new long[] { 10, 20, 50, 100 }
							: new long[] { 500, 1000, 2000, 5000 };
					this.configured.add(Limit.of(dimension, amounts[this.random.nextInt(amounts.length)], period));
				}
			}
			int maxConcurrent = this.random.nextBoolean() ? 0 : 1 + this.random.nextInt(3);
			// request bursts up to half a period; token limits get at least a tenth of
			// theirs on both sides
			Duration burst = Duration.ofMillis(2 * this.random.nextInt(251));
			// each limit's enforcement (issue 14), drawn apart so that the rest of the
			// trace
			// is the one of the seed before enforcement existed: half paced (a third of
			// those with a burst of their own), the rest sliding-window, token-bucket or
			// fixed-window
			SplittableRandom shaping = new SplittableRandom(seed ^ 0x5EED14L);
			List<LimitShape> shapes = new ArrayList<>();
			for (Limit limit : this.configured) {
				Enforcement enforcement = shaping.nextBoolean() ? Enforcement.PACED
						: Enforcement.values()[1 + shaping.nextInt(3)];
				Duration own = (enforcement == Enforcement.PACED && shaping.nextInt(3) == 0)
						? Duration.ofMillis(2 * shaping.nextInt(251)) : null;
				shapes.add(new LimitShape(limit.dimension(), limit.period(), enforcement, own));
			}
			this.policy = ThrottlePolicy.of("sim", maxConcurrent, this.configured.toArray(Limit[]::new))
				.withBurst(burst)
				.withShapes(shapes);
			this.local = PartitionState.Factory.LOCAL_WITHOUT_NEIGHBOUR_SHARE.create(this.policy, "k",
					new ReentrantLock(), this.time);
			this.current = this.configured.stream().map(ScriptLimit::of).toList();
			this.log.add("policy " + this.policy.limits() + " max-concurrent " + maxConcurrent + " burst " + burst
					+ " shapes " + shapes);
		}

		void run(Outcome outcome) {
			for (int step = 0; step < STEPS; step++) {
				int op = this.random.nextInt(100);
				if (op < 35) {
					if (!admit(outcome)) {
						outcome.tolerated++;
						return;
					}
				}
				else if (op < 45) {
					if (!charge(outcome)) {
						outcome.tolerated++;
						return;
					}
				}
				else if (op < 70) {
					release();
				}
				else if (op < 75) {
					coolDown();
				}
				else if (op < 82) {
					learn();
				}
				else if (op < 87) {
					report();
				}
				else {
					long millis = (this.random.nextInt(10) == 0) ? 2 * (500 + this.random.nextInt(1000))
							: 2 * this.random.nextInt(150);
					this.time.advance(Duration.ofMillis(millis));
					this.log.add("advance " + millis + " ms");
				}
			}
			while (!this.held.isEmpty()) {
				release();
			}
		}

		private boolean admit(Outcome outcome) {
			Cost cost = cost();
			Attempt attempt = this.local.tryAdmit(cost);
			String lease = (this.policy.maxConcurrent() > 0) ? "lease-" + (++this.leaseCounter) : "";
			AdmitReply reply = AdmitReply.parse(eval(PartitionScript.admit(now(), 0, lease, this.policy.maxConcurrent(),
					LEASE_TTL_MICROS, POLL_MICROS, this.current, bursts(), cost)), this.current.size());
			this.log.add("admit " + cost + ": local " + describe(attempt) + ", script " + describe(reply));
			outcome.decisions++;
			if (!compare(attempt.isAdmitted(), attempt.waitNanos(), reply)) {
				return false;
			}
			if (attempt.isAdmitted()) {
				this.held.add(new Held(attempt.grant(), cost, lease, reply.buckets()));
			}
			return true;
		}

		private boolean charge(Outcome outcome) {
			Cost cost = cost();
			long wait = this.local.tryCharge(cost);
			AdmitReply reply = AdmitReply.parse(eval(PartitionScript.admit(now(), 0, "", 0, LEASE_TTL_MICROS,
					POLL_MICROS, this.current, bursts(), cost)), this.current.size());
			this.log.add("tryCharge " + cost + ": local " + wait + " ns, script " + describe(reply));
			outcome.decisions++;
			return compare(wait == 0, wait, reply);
		}

		/**
		 * False when the decisions differ only within the tolerance (the trace ends
		 * there).
		 */
		private boolean compare(boolean localAdmitted, long localWait, AdmitReply reply) {
			boolean scriptAdmitted = reply.status() == 1;
			if (localAdmitted != scriptAdmitted) {
				long otherWait = localAdmitted ? reply.waitMicros() * 1000 : localWait;
				if (otherWait > 0 && otherWait <= TOLERANCE_NANOS) {
					return false;
				}
				fail("admitted by " + (localAdmitted ? "local" : "script") + " only");
			}
			if (!localAdmitted) {
				if (localWait == Attempt.UNTIL_RELEASE) {
					assertThat(reply.blockedBy()).as("blocked by").isEqualTo("concurrency");
				}
				else {
					assertThat(reply.blockedBy()).as("blocked by").isNotEqualTo("concurrency");
					assertThat(reply.waitMicros() * 1000).as("wait (ns)")
						.isBetween(localWait - TOLERANCE_NANOS, localWait + TOLERANCE_NANOS);
				}
			}
			return true;
		}

		private void release() {
			if (this.held.isEmpty()) {
				return;
			}
			Held permit = this.held.remove(this.random.nextInt(this.held.size()));
			boolean sent = this.random.nextInt(5) > 0;
			Cost actual;
			int kind = this.random.nextInt(6);
			if (kind == 0) {
				actual = null; // keeps the estimate
			}
			else if (kind == 1 && !sent) {
				actual = Cost.NONE; // abandoned
			}
			else {
				actual = new Cost(permit.estimate.requests(),
						settled(permit.estimate.inputTokens(), Dimension.INPUT_TOKENS),
						settled(permit.estimate.outputTokens(), Dimension.OUTPUT_TOKENS));
			}
			this.local.release(permit.grant, permit.estimate, actual, sent);
			eval(PartitionScript.settle(now(), permit.lease, this.current, permit.buckets,
					PartitionScript.amounts(this.current, permit.estimate),
					PartitionScript.actual(this.current, permit.estimate, actual, sent)));
			this.log.add("release " + permit.estimate + " as " + actual + (sent ? " sent" : " not sent"));
		}

		/**
		 * A refund, the estimate, a debt within one amount, or (extended) an absurd one.
		 */
		private long settled(long estimate, Dimension dimension) {
			long amount = amount(dimension);
			int kind = this.random.nextInt(10);
			if (this.extended && kind == 0) {
				return (this.random.nextBoolean()) ? 100_000_000_000_000L : 9_200_000_000_000_000_000L;
			}
			if (kind < 4) {
				return (estimate > 0) ? this.random.nextLong(estimate + 1) : 0;
			}
			if (kind < 7 || amount == 0) {
				return estimate;
			}
			return estimate + 1 + this.random.nextLong(this.extended ? amount : Math.max(1, amount / 4));
		}

		private void coolDown() {
			long millis = 2 * (1 + this.random.nextInt(500));
			boolean local = this.local.coolDown(Duration.ofMillis(millis), "test");
			List<Object> reply = eval(PartitionScript.coolDown(now(), millis, "test"));
			this.log.add("coolDown " + millis + " ms: local " + local + ", script " + reply.get(0));
			assertThat(PartitionScript.number(reply.get(0)) == 1).as("cooldown changed").isEqualTo(local);
		}

		private void learn() {
			Limit limit = this.configured.get(this.random.nextInt(this.configured.size()));
			long[] divisors = { 1, 2, 5, 10 };
			long reported = Math.max(1, limit.amount() / divisors[this.random.nextInt(divisors.length)]);
			if (!this.extended && reported < amount(limit.dimension()) && !idle(limit)) {
				// lowering a limit rescales pacing owed and shrinks the amount under the
				// window's sum, which the
				// script caps at two periods and two amounts (R2): common traces lower
				// only an idle window
				return;
			}
			boolean local = this.local.learnLimit(limit.dimension(), reported, limit.period());
			// what RedisPartitionState does: the lower of configured and reported, and a
			// relearn when it changed
			long target = Math.min(limit.amount(), reported);
			List<ScriptLimit> changed = new ArrayList<>(this.current);
			List<ScriptLimit> sent = new ArrayList<>();
			List<Long> old = new ArrayList<>();
			for (int i = 0; i < changed.size(); i++) {
				ScriptLimit scriptLimit = changed.get(i);
				if (scriptLimit.sameWindow(limit) && scriptLimit.amount() != target) {
					ScriptLimit learned = ScriptLimit.of(Limit.of(limit.dimension(), target, limit.period()));
					changed.set(i, learned);
					sent.add(learned);
					old.add(scriptLimit.amount());
				}
			}
			this.log
				.add("learn " + limit + " reported " + reported + ": local " + local + ", script " + !sent.isEmpty());
			assertThat(!sent.isEmpty()).as("limit changed").isEqualTo(local);
			if (!sent.isEmpty()) {
				eval(sent,
						PartitionScript.relearn(now(), sent, old.stream().mapToLong(Long::longValue).toArray(), true));
				this.current = List.copyOf(changed);
			}
		}

		private boolean idle(Limit limit) {
			for (var limiter : this.local.rateLimiters()) {
				if (limiter.window().limit().dimension() == limit.dimension()) {
					return limiter.window().isIdle(this.time.nanoTime());
				}
			}
			return true;
		}

		private void report() {
			ScriptLimit limit = this.current.get(this.random.nextInt(this.current.size()));
			Dimension dimension = limit.limit().dimension();
			long remaining = this.random.nextLong(limit.amount() + 1);
			long resetMillis = 2 * (1 + this.random.nextInt(600));
			this.local.reportRemaining(dimension, remaining, Duration.ofMillis(resetMillis), -1);
			long[] reported = new long[this.current.size()];
			for (int i = 0; i < reported.length; i++) {
				reported[i] = (this.current.get(i).limit().dimension() == dimension) ? remaining : -1;
			}
			eval(PartitionScript.report(now(), this.current, reported, resetMillis * 1000));
			this.log.add("report " + dimension + " remaining " + remaining + " reset " + resetMillis + " ms");
		}

		private Cost cost() {
			long input = units(Dimension.INPUT_TOKENS);
			long output = units(Dimension.OUTPUT_TOKENS);
			return new Cost(1, input, output);
		}

		/**
		 * At least 1 where limited (0 in extended traces, at times), at most a third of
		 * the amount in force.
		 */
		private long units(Dimension dimension) {
			long amount = amount(dimension);
			if (amount == 0) {
				return this.random.nextInt(100);
			}
			if (this.extended && this.random.nextInt(3) == 0) {
				return 0;
			}
			return 1 + this.random.nextLong(Math.max(1, amount / 3));
		}

		private long amount(Dimension dimension) {
			for (ScriptLimit limit : this.current) {
				if (limit.limit().dimension() == dimension) {
					return limit.amount();
				}
			}
			return 0;
		}

		/**
		 * As {@code RedisPartitionState} passes them: {@link ThrottlePolicy#burstFor}.
		 */
		private long[] bursts() {
			long[] bursts = new long[this.current.size()];
			for (int i = 0; i < bursts.length; i++) {
				bursts[i] = this.policy.burstFor(this.current.get(i).limit()).toNanos() / 1000;
			}
			return bursts;
		}

		private long now() {
			return this.time.nanoTime() / 1000;
		}

		private List<Object> eval(List<String> args) {
			return eval(this.current, args);
		}

		private List<Object> eval(List<ScriptLimit> limits, List<String> args) {
			return scripts.eval(LuaScript.THROTTLE, PartitionScript.keys(this.keys, limits), args).join();
		}

		private static String describe(Attempt attempt) {
			return attempt.isAdmitted() ? "admitted" : "wait " + attempt.waitNanos() + " ns";
		}

		private static String describe(AdmitReply reply) {
			return (reply.status() == 1) ? "admitted"
					: "wait " + reply.waitMicros() + " µs (" + reply.blockedBy() + ")";
		}

	}

	private record Held(Object grant, Cost estimate, String lease, long[] buckets) {
	}

	private static final class Outcome {

		final List<Integer> failures = new ArrayList<>();

		String firstFailure;

		long decisions;

		long tolerated;

		@Override
		public String toString() {
			return SEEDS + " seeds x " + STEPS + " steps, " + this.decisions + " decisions compared, " + this.tolerated
					+ " traces ended within the tolerance, " + this.failures.size() + " differing seeds"
					+ (this.failures.isEmpty() ? ""
							: " " + this.failures.subList(0, Math.min(20, this.failures.size())));
		}

	}

}
