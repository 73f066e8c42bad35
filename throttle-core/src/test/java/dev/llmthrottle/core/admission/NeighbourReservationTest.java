package dev.llmthrottle.core.admission;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The neighbour's share reserved in a partition's window: regression tests for the two
 * invariants the first design (relearning the limit's amount, commit 1621673) broke, and
 * the share's decay.
 */
class NeighbourReservationTest {

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final ThrottlePolicy policy = ThrottlePolicy.of("openai", 0,
			Limit.of(Dimension.TOKENS, 1000, Duration.ofSeconds(1)));

	private final ProviderThrottler throttler = new ProviderThrottler(this.policy, this.time,
			PartitionKeys.withRandomSecret(), ThrottleListener.NONE);

	private final Partition partition = this.throttler.defaultPartition();

	private PartitionSnapshot.LimitState state() {
		return this.partition.snapshot().limits().get(0);
	}

	@Test
	void aCallWithinTheAmountButAboveWhatTheShareLeavesWaitsInsteadOfBeingTooLarge() {
		// we used nothing, the provider says 600 remain: a neighbour holds 40%
		this.partition.reportRemaining(Dimension.TOKENS, 600, Duration.ofSeconds(1));
		// 900 > 1000 x (1 - 0.42) but within the amount: not too large (1621673 threw
		// RequestTooLargeException here); it waits for the 400 the provider reported
		// taken until the reset
		assertThat(this.partition.tryAcquire(Cost.of(900, 0))).isNull();
		assertThat(state().neighbourShare()).isEqualTo(0.42);
		assertThat(state().limit().amount()).as("the amount itself is unchanged").isEqualTo(1000);
		this.time.advance(Duration.ofMillis(1010));
		Permit permit = this.partition.tryAcquire(Cost.of(900, 0));
		assertThat(permit).as("admitted into a window holding nothing else").isNotNull();
		permit.release(null);
	}

	@Test
	void theReservationFromTheReportedRemainingIsKeptWhenTheShareMovesOrTheLimitIsRestated() {
		this.partition.reportRemaining(Dimension.TOKENS, 500, Duration.ofSeconds(1));
		// the provider now reports nothing left: the share rises to its bound
		this.partition.reportRemaining(Dimension.TOKENS, 0, Duration.ofSeconds(1));
		assertThat(state().neighbourShare()).isEqualTo(0.9);
		// the header restating the limit and the same policy applied again (1621673
		// relearned the amount on each, which dropped the reservation held from the
		// report)
		this.partition.learnLimit(Dimension.TOKENS, 1000, Duration.ofSeconds(1));
		this.throttler.apply(this.policy);
		assertThat(state().available()).isZero();
		assertThat(this.partition.tryAcquire(Cost.of(1, 0))).as("nothing is left until the reset").isNull();
		this.time.advance(Duration.ofMillis(990));
		assertThat(this.partition.tryAcquire(Cost.of(1, 0))).isNull();
		// after the reset, only what the share leaves: a tenth
		this.time.advance(Duration.ofMillis(20));
		assertThat(state().available()).isEqualTo(100);
		Permit permit = this.partition.tryAcquire(Cost.of(99, 0));
		assertThat(permit).isNotNull();
		assertThat(this.partition.tryAcquire(Cost.of(2, 0))).isNull();
		permit.release(null);
	}

	@Test
	void theShareDecaysWhenTheNeighbourStops() {
		this.partition.reportRemaining(Dimension.TOKENS, 600, Duration.ofSeconds(1));
		assertThat(state().neighbourShare()).isEqualTo(0.42);
		// reports that show no neighbour: the share is gone within two periods
		for (int i = 0; i < 21; i++) {
			this.time.advance(Duration.ofMillis(100));
			this.partition.reportRemaining(Dimension.TOKENS, 1000, Duration.ofSeconds(1));
		}
		assertThat(state().neighbourShare()).isZero();
		assertThat(state().available()).isEqualTo(1000);
	}

	@Test
	void theShareLapsesWithoutReports() {
		this.partition.reportRemaining(Dimension.TOKENS, 600, Duration.ofSeconds(1));
		this.time.advance(Duration.ofMillis(1500));
		assertThat(state().neighbourShare()).as("held up to two periods").isEqualTo(0.42);
		this.time.advance(Duration.ofMillis(600));
		assertThat(state().neighbourShare()).isZero();
		assertThat(state().available()).isEqualTo(1000);
	}

}
