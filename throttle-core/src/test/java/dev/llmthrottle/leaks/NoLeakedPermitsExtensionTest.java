package dev.llmthrottle.leaks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leak check itself: it sees a partition only created in a local variable, names a
 * permit in flight, a queued waiter and the bulkhead slot they hold, and is satisfied
 * once everything is closed, whether released or abandoned.
 */
class NoLeakedPermitsExtensionTest {

	private final VirtualTimeSource time = new VirtualTimeSource();

	@Test
	void namesWhatIsStillHeldUntilEveryPermitIsClosed() {
		Partition partition = new ProviderThrottler(ThrottlePolicy.of("ledger", 1), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE)
			.partition("some-key");
		assertThat(NoLeakedPermitsExtension.leaks()).isEmpty();
		Permit held = partition.tryAcquire(Cost.oneRequest());
		CompletableFuture<Permit> waiting = partition.acquireAsync(Cost.oneRequest());
		assertThat(NoLeakedPermitsExtension.leaks()).singleElement()
			.asString()
			.contains("provider 'ledger'", "1 in flight", "1 queued", "admitted 1, released 0, abandoned 0",
					"bulkhead 0 of 1 free")
			.doesNotContain("some-key");
		held.release(null);
		assertThat(waiting).isCompleted();
		assertThat(NoLeakedPermitsExtension.leaks()).singleElement()
			.asString()
			.contains("1 in flight", "admitted 2, released 1, abandoned 0");
		waiting.join().abandon();
		assertThat(NoLeakedPermitsExtension.leaks()).isEmpty();
	}

	@Test
	void aSecondReleaseIsNotCountedTwice() {
		Partition partition = new ProviderThrottler(ThrottlePolicy.of("ledger", 2), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE)
			.defaultPartition();
		Permit permit = partition.tryAcquire(Cost.oneRequest());
		permit.release(null);
		permit.release(null);
		permit.abandon();
		this.time.advance(Duration.ofSeconds(1));
		assertThat(NoLeakedPermitsExtension.leaks()).isEmpty();
	}

}
