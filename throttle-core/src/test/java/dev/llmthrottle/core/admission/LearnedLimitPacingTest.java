package dev.llmthrottle.core.admission;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pacing a partition owes is counted in units, whatever the amount in force: a limit
 * learned from the provider and a policy applied afterwards (which restores the
 * configured amount) rescale it alike, so that repeating them never multiplies it.
 */
class LearnedLimitPacingTest {

	private static final Limit CONFIGURED = Limit.perMinute(Dimension.REQUESTS, 60);

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final ProviderThrottler throttler = new ProviderThrottler(ThrottlePolicy.of("openai", 0, CONFIGURED),
			this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);

	@Test
	void learnApplyLearnOwesOneRequestAtTheLearnedRate() {
		Partition partition = this.throttler.defaultPartition();
		partition.tryAcquire(Cost.oneRequest()).release(null);
		for (int round = 0; round < 3; round++) {
			assertThat(partition.learnLimit(Dimension.REQUESTS, 6, Duration.ofMinutes(1))).isTrue();
			this.throttler.apply(this.throttler.policy());
		}
		assertThat(partition.learnLimit(Dimension.REQUESTS, 6, Duration.ofMinutes(1))).isTrue();
		// one request owed at 6 a minute (10.1 s with the guard), not 10 or 100 of them
		this.time.advance(Duration.ofMillis(10_099));
		assertThat(partition.tryAcquire(Cost.oneRequest())).as("still paced").isNull();
		this.time.advance(Duration.ofMillis(1));
		Permit next = partition.tryAcquire(Cost.oneRequest());
		assertThat(next).as("one interval of the learned rate after the first").isNotNull();
		next.release(null);
	}

	@Test
	void applyingTheConfiguredAmountAgainOwesOneRequestAtThatRate() {
		Partition partition = this.throttler.defaultPartition();
		partition.tryAcquire(Cost.oneRequest()).release(null);
		assertThat(partition.learnLimit(Dimension.REQUESTS, 6, Duration.ofMinutes(1))).isTrue();
		this.throttler.apply(this.throttler.policy());
		// back at 60 a minute: the request owed is 1.01 s of pacing again, not the 10.1 s
		// it was at 6 a minute
		this.time.advance(Duration.ofMillis(1_009));
		assertThat(partition.tryAcquire(Cost.oneRequest())).as("still paced").isNull();
		this.time.advance(Duration.ofMillis(1));
		Permit next = partition.tryAcquire(Cost.oneRequest());
		assertThat(next).isNotNull();
		next.release(null);
	}

}
