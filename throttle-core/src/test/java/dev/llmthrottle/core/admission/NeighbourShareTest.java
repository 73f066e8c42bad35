package dev.llmthrottle.core.admission;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link NeighbourShare} alone: what it sees, how it decays, and (seeded, randomized,
 * against a reference that keeps every report) its bounds under absurd reports.
 */
class NeighbourShareTest {

	private static final long PERIOD = 2_000_000_000L;

	@Test
	void seesWhatOurBooksCannotExplainAndReservesItWithTheNoiseMargin() {
		NeighbourShare share = new NeighbourShare(100);
		// we used 40, the provider says 27 remain: 33 are someone else's
		assertThat(share.observe(40, 27, PERIOD, 0)).isEqualTo(0.33);
		assertThat(share.effective(PERIOD, 0)).isEqualTo(65);
		// within 2% is noise
		NeighbourShare quiet = new NeighbourShare(100);
		assertThat(quiet.observe(40, 58, PERIOD, 0)).isZero();
		assertThat(quiet.effective(PERIOD, 0)).isEqualTo(100);
	}

	@Test
	void decaysToNothingWithinTwoPeriodsOfReportsShowingNone() {
		NeighbourShare share = new NeighbourShare(100);
		share.observe(40, 27, PERIOD, 0);
		long now = 0;
		while (now < PERIOD) {
			now += PERIOD / 10;
			assertThat(share.observe(50, 50, PERIOD, now)).as("kept for at least a period").isEqualTo(0.33);
		}
		while (now < 2 * PERIOD) {
			now += PERIOD / 10;
			share.observe(50, 50, PERIOD, now);
		}
		assertThat(share.share(PERIOD, now)).isZero();
		assertThat(share.effective(PERIOD, now)).isEqualTo(100);
	}

	@Test
	void forgottenWithoutReports() {
		NeighbourShare share = new NeighbourShare(100);
		share.observe(0, 50, PERIOD, 0);
		assertThat(share.share(PERIOD, 2 * PERIOD)).isZero();
	}

	/**
	 * Random reports at random instants, absurd ones included (negative or huge
	 * remaining, used above the amount, instants that go back): the share stays in [0,
	 * 0.9] and the amount run in [1, base]; compared with a reference that keeps every
	 * report, the share is at least the largest figure above the noise seen in the last
	 * period and at most the largest in the last two. Prints the failing seed.
	 */
	@Test
	void boundedAndWithinTheReferenceWindow() {
		for (long seed = 1; seed <= 300; seed++) {
			SplittableRandom random = new SplittableRandom(seed);
			long base = 1 + random.nextLong(1_000_000);
			long period = 1 + random.nextLong(10 * PERIOD);
			NeighbourShare share = new NeighbourShare(base);
			List<long[]> seen = new ArrayList<>();
			long now = random.nextLong(Long.MAX_VALUE / 4);
			for (int step = 0; step < 500; step++) {
				now += random.nextLong(period / 3 + 1);
				long used = switch (random.nextInt(4)) {
					case 0 -> -random.nextLong(Long.MAX_VALUE);
					case 1 -> Long.MAX_VALUE;
					default -> random.nextLong(base + 1);
				};
				long reported = switch (random.nextInt(4)) {
					case 0 -> -random.nextLong(Long.MAX_VALUE);
					case 1 -> Long.MAX_VALUE;
					default -> random.nextLong(base + 1);
				};
				double value = share.observe(used, reported, period, now);
				double unexplained = (double) (base - Math.max(0, Math.min(used, base))
						- Math.max(0, Math.min(reported, base))) / base;
				seen.add(new long[] { now, Double.doubleToLongBits(Math.min(unexplained, NeighbourShare.MAX_SHARE)) });
				double lastPeriod = 0;
				double lastTwo = 0;
				for (long[] report : seen) {
					double figure = Double.longBitsToDouble(report[1]);
					if (figure <= 0.02) {
						continue;
					}
					if (now - report[0] < period) {
						lastPeriod = Math.max(lastPeriod, figure);
					}
					if (now - report[0] < 2 * period) {
						lastTwo = Math.max(lastTwo, figure);
					}
				}
				long effective = share.effective(period, now);
				if (value < 0 || value > NeighbourShare.MAX_SHARE || value < lastPeriod || value > lastTwo
						|| effective < 1 || effective > base) {
					fail("seed " + seed + " step " + step + ": share " + value + " (last period " + lastPeriod
							+ ", last two " + lastTwo + "), effective " + effective + " of " + base);
				}
			}
		}
	}

}
