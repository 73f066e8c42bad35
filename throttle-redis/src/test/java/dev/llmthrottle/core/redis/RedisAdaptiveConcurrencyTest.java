package dev.llmthrottle.core.redis;

import dev.llmthrottle.test.junit.RequiresRedis;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code max-concurrent: auto(N)} with the Redis backend: each instance adapts its own
 * limit (it sees its own latencies and refusals), and the leases shared by every instance
 * are capped by the bound {@code N}.
 */
@RequiresRedis
class RedisAdaptiveConcurrencyTest {

	private RedisBackendSettings settings;

	@BeforeEach
	void setUp() {
		this.settings = RedisBackendSettings.defaults().withKeyPrefix(TestRedis.uniquePrefix());
	}

	@Test
	void eachInstanceAdaptsItsOwnLimitWhileTheBoundCapsTheSharedLeases() throws Exception {
		ThrottlePolicy policy = ThrottlePolicy.of("sim", 3, Limit.of(Dimension.REQUESTS, 1000, Duration.ofSeconds(1)))
			.withMaxWait(Duration.ofSeconds(10))
			.withAutoConcurrent(true);
		try (RedisInstances instances = new RedisInstances(2, TestRedis.SHARED, this.settings, policy,
				ThrottleListener.NONE)) {
			Partition first = instances.get(0).throttler.defaultPartition();
			Partition second = instances.get(1).throttler.defaultPartition();
			assertThat(first.concurrencyLimit()).isEqualTo(3);
			Permit a = first.acquire(Cost.oneRequest());
			Permit b = first.acquire(Cost.oneRequest());
			// refused for overload with 2 in flight: this instance now allows 1
			b.reportOutcome(Permit.Outcome.OVERLOADED);
			b.release(Cost.oneRequest());
			assertThat(first.concurrencyLimit()).isEqualTo(1);
			assertThat(second.concurrencyLimit()).as("the other instance's own limit").isEqualTo(3);
			CompletableFuture<Permit> heldBack = first.acquireAsync(Cost.oneRequest());
			Permit c = second.acquire(Cost.oneRequest());
			Permit d = second.acquire(Cost.oneRequest());
			// three leases held in all: the bound caps the shared count
			CompletableFuture<Permit> overBound = second.acquireAsync(Cost.oneRequest());
			await().during(Duration.ofMillis(300))
				.atMost(Duration.ofSeconds(2))
				.until(() -> !heldBack.isDone() && !overBound.isDone());
			c.release(null);
			Permit e = overBound.get(5, TimeUnit.SECONDS);
			assertThat(heldBack).as("held back by its own instance's limit, not by the shared leases").isNotDone();
			a.release(null);
			Permit f = heldBack.get(5, TimeUnit.SECONDS);
			for (Permit permit : new Permit[] { d, e, f }) {
				permit.release(null);
			}
			await().atMost(Duration.ofSeconds(2))
				.until(() -> first.snapshot().inFlight() == 0 && second.snapshot().inFlight() == 0);
		}
	}

}
