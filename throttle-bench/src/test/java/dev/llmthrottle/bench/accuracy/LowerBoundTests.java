package dev.llmthrottle.bench.accuracy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LowerBoundTests {

	private static final Duration SIX_SECONDS = Duration.ofSeconds(6);

	@Test
	void theMostBindingLimitSetsTheBound() {
		double bound = LowerBound.seconds(List.of(new LowerBound.Spent(300, SIX_SECONDS, 600),
				new LowerBound.Spent(90_000, SIX_SECONDS, 225_000)), 0, Duration.ofSeconds(30), 32);
		assertThat(bound).isCloseTo(15.0, within(1e-9));
	}

	@Test
	void aNeighbourLeavesOnlyItsRemainderOfEachLimit() {
		double bound = LowerBound.seconds(List.of(new LowerBound.Spent(300, SIX_SECONDS, 600)), 1.0 / 3, Duration.ZERO,
				32);
		assertThat(bound).isCloseTo(18.0, within(1e-9));
	}

	@Test
	void summedLatencyOverConcurrencyCountsToo() {
		double bound = LowerBound.seconds(List.of(new LowerBound.Spent(300, SIX_SECONDS, 30)), 0,
				Duration.ofSeconds(64), 32);
		assertThat(bound).isCloseTo(2.0, within(1e-9));
	}

}
