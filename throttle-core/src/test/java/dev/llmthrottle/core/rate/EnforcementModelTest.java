package dev.llmthrottle.core.rate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Enforcement;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.LimitShape;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Each {@link Enforcement} mode on virtual time against reference models (issue 14).
 * Seeded random traces of callers (requests of cost 1, or token calls of random cost),
 * some greedy (they come back the instant they are told), some arriving after random
 * gaps, run through a {@link PacedWindow} whose burst comes from
 * {@link ThrottlePolicy#burstFor}. For every admission:
 * <ul>
 * <li>the declared kind is never exceeded: at most {@code amount} in any trailing window
 * of the (unguarded) period in every mode, so in any aligned fixed window at any offset;
 * in token-bucket mode a reference bucket of capacity {@code amount} refilled at
 * {@code amount / period} always holds the cost; in paced mode every admission conforms
 * to a reference GCRA with the mode's burst;</li>
 * <li>nothing is held back that the reference would admit: the wait the window names is
 * the reference's (an exact trailing window on the guarded period plus the reference
 * pacing), late by at most one bucket of the window's granularity and never early.</li>
 * </ul>
 * A failing seed is printed; rerun one with {@code -Dllmthrottle.enforcement.seed=N}.
 */
class EnforcementModelTest {

	private static final int SEEDS = 1_000;

	private static final int STEPS = 300;

	@Test
	void everyModeKeepsItsKindAndAdmitsAsSoonAsTheReference() {
		long only = Long.getLong("llmthrottle.enforcement.seed", -1);
		int[] perMode = new int[Enforcement.values().length];
		for (long seed = 1; seed <= SEEDS; seed++) {
			if (only >= 0 && seed != only) {
				continue;
			}
			try {
				perMode[runTrace(seed).ordinal()]++;
			}
			catch (AssertionError | RuntimeException ex) {
				fail("seed " + seed + " (rerun with -Dllmthrottle.enforcement.seed=" + seed + "): " + ex.getMessage(),
						ex);
			}
		}
		if (only < 0) {
			for (Enforcement mode : Enforcement.values()) {
				assertThat(perMode[mode.ordinal()]).as("traces of %s", mode).isGreaterThan(SEEDS / 8);
			}
		}
	}

	@Test
	void slidingWindowSpendsTheWholeAmountAtOnceThenWaitsOneGuardedPeriod() {
		Limit limit = Limit.of(Dimension.REQUESTS, 40, Duration.ofSeconds(10));
		ThrottlePolicy policy = ThrottlePolicy.of("p", 0, limit)
			.withShapes(List.of(new LimitShape(Dimension.REQUESTS, limit.period(), Enforcement.SLIDING_WINDOW, null)));
		PacedWindow window = new PacedWindow(limit, policy.burstFor(limit).toNanos());
		for (int i = 0; i < 40; i++) {
			assertThat(window.nanosUntilAvailable(1, 0)).isZero();
			window.consume(1, 0);
		}
		assertThat(window.nanosUntilAvailable(1, 0)).isEqualTo(10_100_000_000L);
	}

	@Test
	void pacedModeIsTodaysStrictPacing() {
		Limit limit = Limit.of(Dimension.REQUESTS, 40, Duration.ofSeconds(10));
		ThrottlePolicy policy = ThrottlePolicy.of("p", 0, limit);
		assertThat(policy.burstFor(limit)).isZero();
		PacedWindow window = new PacedWindow(limit, policy.burstFor(limit).toNanos());
		window.consume(1, 0);
		assertThat(window.nanosUntilAvailable(1, 0)).isEqualTo(252_500_000L);
	}

	@Test
	void aLimitsOwnBurstOverridesTheProvidersOnlyForThatLimit() {
		Limit perMinute = Limit.of(Dimension.REQUESTS, 240, Duration.ofMinutes(1));
		Limit perTenSeconds = Limit.of(Dimension.REQUESTS, 40, Duration.ofSeconds(10));
		ThrottlePolicy policy = ThrottlePolicy.of("p", 0, perMinute, perTenSeconds)
			.withBurst(Duration.ofSeconds(2))
			.withShapes(List.of(new LimitShape(Dimension.REQUESTS, perTenSeconds.period(), Enforcement.PACED,
					Duration.ofSeconds(10))));
		assertThat(policy.burstFor(perMinute)).isEqualTo(Duration.ofSeconds(2));
		assertThat(policy.burstFor(perTenSeconds)).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void tokenBucketCapacityIsTheAmountAndFollowsALearnedAmount() {
		Limit limit = Limit.of(Dimension.TOKENS, 1000, Duration.ofSeconds(10));
		ThrottlePolicy policy = ThrottlePolicy.of("p", 0, limit)
			.withShapes(List.of(new LimitShape(Dimension.TOKENS, limit.period(), Enforcement.TOKEN_BUCKET, null)));
		assertThat(policy.burstFor(limit)).isEqualTo(Duration.ofMillis(9990));
		assertThat(policy.burstFor(Limit.of(Dimension.TOKENS, 10, limit.period()))).isEqualTo(Duration.ofSeconds(9));
		assertThat(policy.enforcementFor(limit)).isEqualTo(Enforcement.TOKEN_BUCKET);
	}

	private static Enforcement runTrace(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		Enforcement mode = Enforcement.values()[random.nextInt(Enforcement.values().length)];
		boolean requests = random.nextBoolean();
		Dimension dimension = requests ? Dimension.REQUESTS : Dimension.TOKENS;
		long amount = requests ? 1 + random.nextInt(60) : 50 + random.nextInt(5000);
		Duration period = Duration.ofMillis(100 + random.nextInt(120_000));
		Limit limit = Limit.of(dimension, amount, period);
		Duration ownBurst = (mode == Enforcement.PACED && random.nextBoolean())
				? Duration.ofMillis(random.nextLong(period.toMillis() + 1)) : null;
		ThrottlePolicy policy = ThrottlePolicy.of("p", 0, limit)
			.withBurst(Duration.ofMillis(random.nextInt(1000)))
			.withShapes(List.of(new LimitShape(dimension, period, mode, ownBurst)));
		long burst = policy.burstFor(limit).toNanos();
		PacedWindow window = new PacedWindow(limit, burst);
		long p = period.toNanos();
		long guarded = p + Math.min(p / 100, 1_000_000_000L);
		long granularity = Math.max(1, guarded / 1024);
		Reference reference = new Reference(amount, p, guarded, burst);
		long now = random.nextLong(1L << 40);
		long maxCost = requests ? 1 : Math.max(1, amount / (1 + random.nextInt(8)));
		long cost = 1 + random.nextLong(maxCost);
		for (int step = 0; step < STEPS; step++) {
			long wait = window.nanosUntilAvailable(cost, now);
			long expected = reference.wait(cost, now);
			assertThat(wait).as("step %d (%s, %s, burst %d ns): wait for %d at %d", step, mode, limit, burst, cost, now)
				.isBetween(expected, expected + granularity);
			if (wait == 0) {
				window.consume(cost, now);
				reference.admit(cost, now, mode);
				cost = 1 + random.nextLong(maxCost);
				int arrival = random.nextInt(4);
				// greedy, a little later, or after a gap up to a period
				now += (arrival == 0) ? 0 : (arrival == 1) ? random.nextLong(granularity * 4 + 1)
						: random.nextLong(p / (1 + random.nextInt(20)) + 1);
			}
			else {
				// the caller comes back when told (greedy) or a little before
				now += random.nextBoolean() ? wait : 1 + random.nextLong(wait);
			}
		}
		return mode;
	}

	/**
	 * The exact model: admissions kept one by one, an exact trailing window on the
	 * guarded period, a GCRA with the mode's burst, and the safety checks of each kind.
	 */
	private static final class Reference {

		private final long amount;

		private final long period;

		private final long guarded;

		private final long burst;

		private final double interval;

		private final List<long[]> admitted = new ArrayList<>();

		private double tat;

		private boolean started;

		private double bucket;

		private long bucketAt;

		Reference(long amount, long period, long guarded, long burst) {
			this.amount = amount;
			this.period = period;
			this.guarded = guarded;
			this.burst = burst;
			this.interval = (double) guarded / amount;
			this.bucket = amount;
		}

		long wait(long cost, long now) {
			long wait = 0;
			if (this.started) {
				wait = (long) Math.max(0, Math.ceil(this.tat - this.burst - now));
			}
			long inWindow = 0;
			for (long[] a : this.admitted) {
				if (a[0] + this.guarded > now) {
					inWindow += a[1];
				}
			}
			long excess = inWindow - (this.amount - cost);
			if (excess > 0) {
				long freed = 0;
				for (long[] a : this.admitted) {
					if (a[0] + this.guarded <= now) {
						continue;
					}
					freed += a[1];
					if (freed >= excess) {
						wait = Math.max(wait, a[0] + this.guarded - now);
						break;
					}
				}
			}
			return wait;
		}

		void admit(long cost, long now, Enforcement mode) {
			this.admitted.add(new long[] { now, cost });
			// the declared kind: never more than the amount in a trailing window of the
			// true period (so in any fixed window at any alignment)
			long inTrue = 0;
			for (long[] a : this.admitted) {
				if (a[0] + this.period > now) {
					inTrue += a[1];
				}
			}
			assertThat(inTrue).as("admitted in the trailing %d ns ending %d", this.period, now)
				.isLessThanOrEqualTo(this.amount);
			if (mode == Enforcement.TOKEN_BUCKET) {
				double refilled = this.bucket + (double) (now - this.bucketAt) * this.amount / this.period;
				this.bucket = Math.min(this.amount, refilled);
				this.bucketAt = now;
				assertThat(this.bucket + 1e-6).as("token bucket holds %d at %d", cost, now)
					.isGreaterThanOrEqualTo(cost);
				this.bucket -= cost;
			}
			if (mode == Enforcement.PACED && this.started) {
				assertThat(this.tat - this.burst).as("GCRA conformance at %d", now).isLessThanOrEqualTo(now + 1.0);
			}
			double from = this.started ? Math.max(this.tat, now) : now;
			this.tat = Math.min(from + cost * this.interval, now + 2.0 * this.guarded);
			this.started = true;
			this.admitted.removeIf((a) -> a[0] + 2 * this.guarded < now);
		}

	}

}
