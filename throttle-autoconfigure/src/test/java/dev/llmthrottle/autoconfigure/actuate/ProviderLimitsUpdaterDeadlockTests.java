package dev.llmthrottle.autoconfigure.actuate;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.Permit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Issue 11, defect 1, reached through the actuator write: lowering {@code max-concurrent}
 * while calls are in flight returns at once (it takes effect as permits come back), and
 * so does every later update.
 */
class ProviderLimitsUpdaterDeadlockTests {

	private static final Duration HANG = Duration.ofSeconds(5);

	private final EndpointFixture fixture = new EndpointFixture();

	private static ProviderLimitsUpdater.LimitsChange maxConcurrent(int value) {
		return new ProviderLimitsUpdater.LimitsChange(null, null, null, null, null, null, List.of(), value, false);
	}

	@Test
	void loweringMaxConcurrentUnderCallsInFlightNeverHangsTheWrite() {
		Partition partition = this.fixture.openai.defaultPartition();
		Permit first = partition.tryAcquire(Cost.oneRequest());
		Permit second = partition.tryAcquire(Cost.oneRequest());
		assertTimeoutPreemptively(HANG, () -> this.fixture.updater.update("openai", maxConcurrent(1)),
				"max-concurrent 2 -> 1 with 2 in flight");
		assertThat(this.fixture.openai.policy().maxConcurrent()).isEqualTo(1);
		CompletableFuture<Permit> waiter = partition.acquireAsync(Cost.oneRequest());
		first.release(null);
		assertThat(waiter).as("one still in flight, cap 1").isNotDone();
		second.release(null);
		assertThat(waiter).isCompleted();
		assertTimeoutPreemptively(HANG, () -> this.fixture.updater.update("openai", maxConcurrent(2)),
				"a later write is not stuck behind the first");
		assertThat(partition.tryAcquire(Cost.oneRequest())).isNotNull().satisfies((permit) -> permit.release(null));
		waiter.join().release(null);
		assertThat(partition.snapshot().inFlight()).isZero();
	}

}
