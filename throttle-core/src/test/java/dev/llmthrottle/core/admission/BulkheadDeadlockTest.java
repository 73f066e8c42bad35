package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Issue 11, defects 1 and 2: the partition's concurrency cap neither blocks when it is
 * lowered under calls in flight nor depends on the interrupt flag of the thread that
 * admits or releases.
 */
class BulkheadDeadlockTest {

	private static final Duration HANG = Duration.ofSeconds(5);

	private final VirtualTimeSource time = new VirtualTimeSource();

	private ProviderThrottler throttler(int maxConcurrent) {
		return new ProviderThrottler(
				ThrottlePolicy.of("openai", maxConcurrent, Limit.of(Dimension.REQUESTS, 1000, Duration.ofSeconds(1)))
					.withBurst(Duration.ofSeconds(1)),
				this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
	}

	private static List<Permit> take(Partition partition, int count) {
		List<Permit> permits = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			Permit permit = partition.tryAcquire(Cost.oneRequest());
			assertThat(permit).as("permit %d", i).isNotNull();
			permits.add(permit);
		}
		return permits;
	}

	@Test
	void loweringMaxConcurrentUnderCallsInFlightWhileOneIsReleasedNeverBlocks() throws Exception {
		ProviderThrottler throttler = throttler(4);
		Partition partition = throttler.defaultPartition();
		List<Permit> held = take(partition, 4);
		CountDownLatch start = new CountDownLatch(1);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread applier = new Thread(() -> {
			await(start);
			throttler.apply(throttler.policy().withMaxConcurrent(2));
		});
		Thread releaser = new Thread(() -> {
			await(start);
			held.get(0).release(null);
		});
		for (Thread thread : List.of(applier, releaser)) {
			thread.setDaemon(true);
			thread.setUncaughtExceptionHandler((t, ex) -> failure.set(ex));
			thread.start();
		}
		start.countDown();
		assertTimeoutPreemptively(HANG, () -> {
			applier.join();
			releaser.join();
		}, "apply(max 2) with 4 in flight and a release racing it must not block");
		assertThat(failure.get()).isNull();
		assertThat(partition.snapshot().inFlight()).isEqualTo(3);
		assertLoweredCapTakesEffectAsPermitsComeBack(partition, held.subList(1, 4));
	}

	@Test
	void loweringMaxConcurrentUnderCallsInFlightReturnsAtOnce() {
		ProviderThrottler throttler = throttler(4);
		Partition partition = throttler.defaultPartition();
		List<Permit> held = take(partition, 4);
		assertTimeoutPreemptively(HANG, () -> throttler.apply(throttler.policy().withMaxConcurrent(2)));
		assertThat(partition.bulkhead().getMetrics().getMaxAllowedConcurrentCalls()).isEqualTo(2);
		assertThat(partition.bulkhead().getMetrics().getAvailableConcurrentCalls()).isZero();
		assertLoweredCapTakesEffectAsPermitsComeBack(partition, held);
	}

	/**
	 * Cap 2 with {@code held} in flight: nothing new until fewer than 2 are, then at most
	 * 2 at once.
	 */
	private void assertLoweredCapTakesEffectAsPermitsComeBack(Partition partition, List<Permit> held) {
		CompletableFuture<Permit> waiter = partition.acquireAsync(Cost.oneRequest());
		assertThat(partition.tryAcquire(Cost.oneRequest())).isNull();
		while (held.size() > 1) {
			assertThat(waiter).as("%d in flight, cap 2", held.size()).isNotDone();
			held.remove(0).release(null);
		}
		assertThat(waiter).as("one in flight, cap 2").isCompleted();
		assertThat(partition.snapshot().inFlight()).isEqualTo(2);
		assertThat(partition.tryAcquire(Cost.oneRequest())).isNull();
		held.remove(0).release(null);
		waiter.join().release(null);
		assertThat(partition.snapshot().inFlight()).isZero();
		assertThat(partition.bulkhead().getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
		List<Permit> again = take(partition, 2);
		assertThat(partition.tryAcquire(Cost.oneRequest())).isNull();
		again.forEach((permit) -> permit.release(null));
	}

	@Test
	void raisingMaxConcurrentAdmitsWaitersAtOnce() {
		ProviderThrottler throttler = throttler(1);
		Partition partition = throttler.defaultPartition();
		Permit held = partition.tryAcquire(Cost.oneRequest());
		CompletableFuture<Permit> waiter = partition.acquireAsync(Cost.oneRequest());
		assertThat(waiter).isNotDone();
		throttler.apply(throttler.policy().withMaxConcurrent(2));
		assertThat(waiter).isCompleted();
		held.release(null);
		waiter.join().release(null);
		assertThat(partition.snapshot().inFlight()).isZero();
	}

	@Test
	void aReleaseFromAnInterruptedThreadWakesTheWaiter() throws Exception {
		Partition partition = throttler(1).defaultPartition();
		Permit held = partition.tryAcquire(Cost.oneRequest());
		CompletableFuture<Permit> waiter = partition.acquireAsync(Cost.oneRequest());
		assertThat(waiter).isNotDone();
		// a cancelled task releasing in its finally block: its thread is interrupted
		Thread releaser = new Thread(() -> {
			Thread.currentThread().interrupt();
			held.release(null);
			assertThat(Thread.currentThread().isInterrupted()).as("the flag is left alone").isTrue();
		});
		AtomicReference<Throwable> failure = new AtomicReference<>();
		releaser.setUncaughtExceptionHandler((t, ex) -> failure.set(ex));
		releaser.start();
		releaser.join();
		assertThat(failure.get()).isNull();
		assertThat(waiter).as("the slot freed by the interrupted thread went to the waiter").isCompleted();
		this.time.advance(Duration.ofMinutes(2));
		waiter.join().release(null);
		assertThat(partition.snapshot().inFlight()).isZero();
		assertThat(partition.snapshot().queued()).isZero();
	}

	@Test
	void tryAcquireOnAnInterruptedThreadAdmitsWhenSlotsAreFree() {
		Partition partition = throttler(4).defaultPartition();
		Thread.currentThread().interrupt();
		Permit permit;
		CompletableFuture<Permit> async;
		try {
			permit = partition.tryAcquire(Cost.oneRequest());
			async = partition.acquireAsync(Cost.oneRequest());
			assertThat(Thread.currentThread().isInterrupted()).as("the flag is left alone").isTrue();
		}
		finally {
			Thread.interrupted();
		}
		assertThat(permit).isNotNull();
		assertThat(async).isCompleted();
		permit.release(null);
		async.join().release(null);
		assertThat(partition.snapshot().inFlight()).isZero();
	}

	@Test
	void theBulkheadKeepsResilience4jEventsAndMetrics() {
		Partition partition = throttler(2).defaultPartition();
		Bulkhead bulkhead = partition.bulkhead();
		List<String> events = new ArrayList<>();
		bulkhead.getEventPublisher()
			.onCallPermitted((event) -> events.add("permitted"))
			.onCallRejected((event) -> events.add("rejected"))
			.onCallFinished((event) -> events.add("finished"));
		Permit first = partition.tryAcquire(Cost.oneRequest());
		Permit second = partition.tryAcquire(Cost.oneRequest());
		assertThat(partition.tryAcquire(Cost.oneRequest())).isNull();
		assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isZero();
		first.release(null);
		second.abandon();
		assertThat(events).containsExactly("permitted", "permitted", "rejected", "finished", "finished");
		assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
		assertThat(bulkhead.getMetrics().getMaxAllowedConcurrentCalls()).isEqualTo(2);
		assertThat(bulkhead.getName()).isEqualTo("openai");
		assertThat(bulkhead.getTags()).containsEntry("provider", "openai");
		// used directly through its Resilience4j interface, it counts in the same slots
		// and never waits
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThatThrownBy(bulkhead::acquirePermission).isInstanceOf(BulkheadFullException.class);
		assertThat(partition.tryAcquire(Cost.oneRequest())).isNull();
		bulkhead.onComplete();
		bulkhead.releasePermission();
		bulkhead.releasePermission(); // one more than taken: ignored, never above the cap
		assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
		assertTimeoutPreemptively(HANG,
				() -> bulkhead.changeConfig(BulkheadConfig.custom().maxConcurrentCalls(1).build()));
		assertThat(bulkhead.getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(1);
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
