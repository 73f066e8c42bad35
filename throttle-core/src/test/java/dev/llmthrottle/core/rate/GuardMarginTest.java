package dev.llmthrottle.core.rate;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The learned guard's bounds on seeded random sequences of unexplained refusals and quiet
 * spells (issue 14): it never leaves {@code [1%, 10%]}, a refusal widens it by 1% (at
 * most once a second), it holds for a minute after the last refusal and then the part
 * above 1% halves every half-life, back to 1% within ten half-lives.
 */
class GuardMarginTest {

	private static final long SECOND = 1_000_000_000L;

	@Test
	void widensAndDecaysWithinItsBounds() {
		for (long seed = 1; seed <= 1000; seed++) {
			try {
				runTrace(seed);
			}
			catch (AssertionError | RuntimeException ex) {
				fail("seed " + seed + ": " + ex.getMessage(), ex);
			}
		}
	}

	@Test
	void widensByOnePercentUpToTenAndReturns() {
		GuardMargin margin = new GuardMargin();
		assertThat(margin.ppm(0)).isEqualTo(10_000);
		assertThat(margin.widen(0)).isTrue();
		assertThat(margin.ppm(0)).isEqualTo(20_000);
		assertThat(margin.widen(SECOND / 2)).as("same episode").isFalse();
		assertThat(margin.ppm(SECOND / 2)).isEqualTo(20_000);
		margin.widen(2 * SECOND);
		assertThat(margin.ppm(2 * SECOND)).isEqualTo(30_000);
		for (int i = 2; i <= 10; i++) {
			margin.widen(2L * i * SECOND);
		}
		assertThat(margin.ppm(20 * SECOND)).isEqualTo(GuardMargin.MAX_PPM);
		assertThat(margin.unexplainedRefusals()).isEqualTo(12);
		long quietFrom = 20 * SECOND + GuardMargin.HOLD_NANOS;
		assertThat(margin.ppm(quietFrom)).isEqualTo(GuardMargin.MAX_PPM);
		assertThat(margin.ppm(quietFrom + GuardMargin.HALF_LIFE_NANOS)).isEqualTo(55_000);
		assertThat(margin.ppm(quietFrom + 10 * GuardMargin.HALF_LIFE_NANOS)).isEqualTo(GuardMargin.BASE_PPM);
	}

	private static void runTrace(long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		GuardMargin margin = new GuardMargin();
		long now = random.nextLong(1L << 50);
		long lastWiden = Long.MIN_VALUE;
		long widenedTo = GuardMargin.BASE_PPM;
		for (int step = 0; step < 200; step++) {
			long before = margin.ppm(now);
			if (random.nextInt(3) == 0) {
				boolean changed = margin.widen(now);
				long after = margin.ppm(now);
				if (lastWiden != Long.MIN_VALUE && now - lastWiden < SECOND) {
					assertThat(changed).as("within a second of the last widening").isFalse();
					assertThat(after).isEqualTo(before);
				}
				else {
					assertThat(after).isEqualTo(Math.min(GuardMargin.MAX_PPM, before + GuardMargin.BASE_PPM));
					lastWiden = now;
					widenedTo = after;
				}
			}
			long gap = random.nextInt(4) == 0 ? random.nextLong(20 * GuardMargin.HALF_LIFE_NANOS)
					: random.nextLong(3 * SECOND);
			long later = now + gap;
			long ppm = margin.ppm(later);
			assertThat(ppm).isBetween(GuardMargin.BASE_PPM, GuardMargin.MAX_PPM);
			assertThat(ppm).as("no refusal between: never wider").isLessThanOrEqualTo(margin.ppm(now));
			if (lastWiden != Long.MIN_VALUE) {
				long quiet = later - lastWiden - GuardMargin.HOLD_NANOS;
				if (quiet <= 0) {
					assertThat(ppm).as("held for a minute").isEqualTo(widenedTo);
				}
				else {
					double bound = (widenedTo - GuardMargin.BASE_PPM)
							* Math.pow(0.5, Math.floor((double) quiet / GuardMargin.HALF_LIFE_NANOS));
					assertThat((double) ppm - GuardMargin.BASE_PPM).isLessThanOrEqualTo(bound + 1);
					if (quiet >= 10 * GuardMargin.HALF_LIFE_NANOS) {
						assertThat(ppm).as("back to 1%").isEqualTo(GuardMargin.BASE_PPM);
					}
				}
			}
			now = later;
		}
	}

}
