package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14's example, a per-minute and a per-10-s requests limit: the provider's headers
 * (read as per-minute) report the 10-s figure while that limit binds, and adopting it as
 * the per-minute limit paced the whole batch at a sixth of its rate (123.8 s instead of
 * about 20 s for 120 calls in the benchmark). A report equal to another configured limit
 * of the dimension is that limit's.
 */
class SameDimensionLearningTest {

	private final Limit perMinute = Limit.perMinute(Dimension.REQUESTS, 240);

	private final Limit perTenSeconds = Limit.of(Dimension.REQUESTS, 40, Duration.ofSeconds(10));

	private final PartitionState state = PartitionState.Factory.LOCAL.create(
			ThrottlePolicy.of("sim", 0, this.perMinute, this.perTenSeconds), "k", new ReentrantLock(),
			new VirtualTimeSource());

	@Test
	void theFigureOfTheTenSecondLimitIsNotLearnedAsThePerMinuteOne() {
		assertThat(this.state.learnLimit(Dimension.REQUESTS, 40, Duration.ofMinutes(1))).isFalse();
		assertThat(this.state.limits()).extracting(PartitionSnapshot.LimitState::limit)
			.containsExactly(this.perMinute, this.perTenSeconds);
	}

	@Test
	void aLowerPerMinuteFigureIsStillLearned() {
		assertThat(this.state.learnLimit(Dimension.REQUESTS, 120, Duration.ofMinutes(1))).isTrue();
		assertThat(this.state.limits()).extracting(PartitionSnapshot.LimitState::limit)
			.containsExactly(Limit.perMinute(Dimension.REQUESTS, 120), this.perTenSeconds);
	}

}
