package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link RefusalRateLearner} alone, on virtual instants: its start, its decrease and
 * hold, its stop, its bounds under absurd inputs, and (seeded, randomized) its
 * convergence against a reference provider of unknown rate.
 */
class RefusalRateLearnerTest {

	private static final Duration MINUTE = Duration.ofMinutes(1);

	private static final long SECOND = 1_000_000_000L;

	@Test
	void whileEverythingSucceedsTheRateDoublesAboutEveryStartInterval() {
		RefusalRateLearner learner = new RefusalRateLearner(60, MINUTE);
		long now = 0;
		long target = (long) (RefusalRateLearner.START_DOUBLING_SECONDS * SECOND);
		// calls sent at the rate in force, every one succeeding
		while (now < target) {
			now += MINUTE.toNanos() / learner.amount();
			learner.onSuccess(now);
		}
		assertThat(learner.amount()).isBetween(110L, 130L);
		assertThat(learner.starting()).isTrue();
		assertThat(learner.ceiling()).isZero();
	}

	@Test
	void aRefusalLowersTheAmountOnceForEveryCallSentBeforeItsHintEnds() {
		RefusalRateLearner learner = new RefusalRateLearner(1000, MINUTE);
		// seven tenths: nothing was admitted before this refusal
		assertThat(learner.onRefusal(0, 10 * SECOND)).isEqualTo(700);
		// within the hint: counted as admitted, no growth, no second decrease
		for (int i = 0; i < 1000; i++) {
			assertThat(learner.onSuccess(i * SECOND / 100)).isEqualTo(700);
		}
		assertThat(learner.onRefusal(5 * SECOND, SECOND)).isEqualTo(700);
		assertThat(learner.refusals()).isEqualTo(1);
		// after it: 1000 admitted in 10 s (6000 a minute) is more than nine tenths of 700
		assertThat(learner.onRefusal(10 * SECOND, SECOND)).isEqualTo(630);
		assertThat(learner.ceiling()).isEqualTo(700);
		// then the successes climb back to the ceiling
		for (int i = 0; i < RefusalRateLearner.RECOVERY_SUCCESSES; i++) {
			learner.onSuccess(12 * SECOND + i);
		}
		assertThat(learner.amount()).isBetween(695L, 700L);
	}

	@Test
	void aRefusalSoonAfterTheLastLowersToTheRateAdmittedMeanwhileNotBelowTheHardDecrease() {
		RefusalRateLearner learner = new RefusalRateLearner(6000, MINUTE);
		learner.onRefusal(0, 0);
		assertThat(learner.amount()).isEqualTo(4200);
		// 10 admitted in 11 s (55 a minute, far below): the decrease stops at seven
		// tenths
		for (int i = 1; i <= 10; i++) {
			learner.onSuccess(i * SECOND);
		}
		double before = learner.amount();
		assertThat(learner.onRefusal(11 * SECOND, 0)).isBetween((long) (before * RefusalRateLearner.HARD_DECREASE) - 1,
				(long) (before * RefusalRateLearner.HARD_DECREASE) + 1);
	}

	@Test
	void aStoppedLearnerChangesNothing() {
		RefusalRateLearner learner = new RefusalRateLearner(60, MINUTE);
		learner.stop();
		assertThat(learner.onSuccess(1)).isEqualTo(60);
		assertThat(learner.onRefusal(2, SECOND)).isEqualTo(60);
		assertThat(learner.active()).isFalse();
	}

	@Test
	void aCeilingNotRefusedAgainIsRaised() {
		RefusalRateLearner learner = new RefusalRateLearner(600, MINUTE);
		learner.onRefusal(0, 0);
		long now = SECOND;
		for (int i = 0; i < 10 * RefusalRateLearner.RECOVERY_SUCCESSES; i++) {
			now += MINUTE.toNanos() / learner.amount();
			learner.onSuccess(now);
		}
		assertThat(learner.amount()).as("grows past the stale ceiling").isGreaterThan(1200);
	}

	/**
	 * Seeded random sequences of successes and refusals at random instants, with absurd
	 * hints (negative, zero, Long.MAX_VALUE) and instants near the ends of the nanosecond
	 * range: the amount stays within [1, ten thousand a second], a success never lowers
	 * it and a refusal never raises it, and nothing throws.
	 */
	@Test
	void boundedWhateverTheInputs() {
		for (long seed = 1; seed <= 500; seed++) {
			SplittableRandom random = new SplittableRandom(seed);
			Duration period = switch (random.nextInt(3)) {
				case 0 -> Duration.ofSeconds(1 + random.nextInt(100));
				case 1 -> MINUTE;
				default -> Duration.ofDays(1);
			};
			long max = (long) (RefusalRateLearner.MAX_PER_SECOND * period.toSeconds());
			RefusalRateLearner learner = new RefusalRateLearner(1 + random.nextLong(max * 2), period);
			long now = random.nextBoolean() ? Long.MAX_VALUE - random.nextLong(1_000_000 * SECOND) : random.nextLong();
			for (int step = 0; step < 2_000; step++) {
				now += random.nextLong(2 * SECOND);
				long before = learner.amount();
				long after;
				boolean success = random.nextInt(10) > 0;
				if (success) {
					after = learner.onSuccess(now);
				}
				else {
					long hint = switch (random.nextInt(4)) {
						case 0 -> -random.nextLong(Long.MAX_VALUE);
						case 1 -> Long.MAX_VALUE;
						case 2 -> 0;
						default -> random.nextLong(10 * SECOND);
					};
					after = learner.onRefusal(now, hint);
				}
				if (after < 1 || after > Math.max(1, max) || after != learner.amount()
						|| (success ? after < before : after > before)) {
					fail("seed " + seed + " step " + step + ": " + (success ? "success" : "refusal") + " moved "
							+ before + " to " + after + " (max " + max + ")");
				}
			}
		}
	}

	/**
	 * Convergence against a reference provider: a token bucket of random rate R (1 to 500
	 * a second) and capacity R x (1 to 10 s), called at the learner's own rate, with the
	 * bucket's exact wait as hint and nothing sent during it. After ten minutes the
	 * amount learned is within [0.6 R, 1.5 R] a minute, and fewer than 3% of the calls
	 * were refused. Prints the failing seed.
	 */
	@Test
	void convergesNearTheRateOfAnUnknownTokenBucket() {
		for (long seed = 1; seed <= 200; seed++) {
			SplittableRandom random = new SplittableRandom(seed);
			double rate = 1 + random.nextDouble() * 499;
			double capacity = Math.max(1, rate * (1 + random.nextDouble() * 9));
			RefusalRateLearner learner = new RefusalRateLearner(60, MINUTE);
			double tokens = capacity;
			long now = 0;
			long last = 0;
			int refused = 0;
			int calls = 0;
			while (now < 600 * SECOND) {
				tokens = Math.min(capacity, tokens + (now - last) / 1e9 * rate);
				last = now;
				if (tokens >= 1) {
					tokens -= 1;
					learner.onSuccess(now);
					calls++;
					now += Math.max(1, MINUTE.toNanos() / learner.amount());
				}
				else {
					long hint = (long) Math.ceil((1 - tokens) / rate * 1e9);
					learner.onRefusal(now, hint);
					refused++;
					now += Math.max(hint, MINUTE.toNanos() / learner.amount());
				}
			}
			double perMinute = rate * 60;
			if (learner.amount() < 0.6 * perMinute || learner.amount() > 1.5 * perMinute || refused >= calls * 0.03) {
				fail("seed " + seed + ": rate " + perMinute + "/min, capacity " + capacity + ": learned "
						+ learner.amount() + "/min with " + refused + " refusals of " + calls);
			}
		}
	}

}
