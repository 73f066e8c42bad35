package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A per-minute and a per-10-s requests limit; the provider states the 10-s limit's figure
 * (40) with its remaining (0) and reset (9 s). Applied to every limit of the dimension,
 * that remaining held the whole per-minute quota for 9 s after every 40 calls: the
 * sample's 120 calls against 40 per 10 s took 50 s instead of about 30 s. A remaining
 * stated beside a figure equal to one configured limit concerns that limit only.
 */
class StatedFigureReportTest {

	private final Limit perMinute = Limit.perMinute(Dimension.REQUESTS, 240);

	private final Limit perTenSeconds = Limit.of(Dimension.REQUESTS, 40, Duration.ofSeconds(10));

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final PartitionState state = PartitionState.Factory.LOCAL
		.create(ThrottlePolicy.of("sim", 0, this.perMinute, this.perTenSeconds), "k", new ReentrantLock(), this.time);

	@Test
	void theRemainingOfTheTenSecondLimitDoesNotHoldThePerMinuteWindow() {
		admitOne();
		this.state.reportRemaining(Dimension.REQUESTS, 0, Duration.ofSeconds(9), 40);
		assertThat(available(this.perMinute)).isEqualTo(239);
		assertThat(available(this.perTenSeconds)).isZero();
	}

	@Test
	void aRemainingBesideThePerMinuteFigureHoldsOnlyThePerMinuteWindow() {
		admitOne();
		this.state.reportRemaining(Dimension.REQUESTS, 0, Duration.ofSeconds(30), 240);
		assertThat(available(this.perMinute)).isZero();
		assertThat(available(this.perTenSeconds)).isEqualTo(39);
	}

	@Test
	void withoutAStatedFigureOrWithAnUnknownOneEveryLimitOfTheDimensionShrinks() {
		admitOne();
		this.state.reportRemaining(Dimension.REQUESTS, 0, Duration.ofSeconds(9), -1);
		assertThat(available(this.perMinute)).isZero();
		assertThat(available(this.perTenSeconds)).isZero();
		this.time.advance(Duration.ofSeconds(10));
		this.state.reportRemaining(Dimension.REQUESTS, 5, Duration.ofSeconds(9), 1000);
		// both shrink to at most what is reported (the unseen neighbour's share may hold
		// back more)
		assertThat(available(this.perMinute)).isLessThanOrEqualTo(5);
		assertThat(available(this.perTenSeconds)).isLessThanOrEqualTo(5);
	}

	private void admitOne() {
		PartitionState.Attempt attempt = this.state.tryAdmit(Cost.oneRequest());
		assertThat(attempt.grant()).isNotNull();
	}

	private long available(Limit limit) {
		return this.state.limits()
			.stream()
			.filter((l) -> l.limit().equals(limit))
			.findFirst()
			.orElseThrow()
			.available();
	}

}
