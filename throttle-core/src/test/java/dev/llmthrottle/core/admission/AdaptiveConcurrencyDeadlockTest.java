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

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Lowering {@code max-concurrent: auto} (by an overload answer, or a lower bound applied)
 * under calls in flight never blocks anyone: the lower limit takes effect as calls come
 * back, and every waiter is admitted once enough have.
 */
class AdaptiveConcurrencyDeadlockTest {

	private static final Duration HANG = Duration.ofSeconds(5);

	private final VirtualTimeSource time = new VirtualTimeSource();

	private ProviderThrottler throttler(int bound) {
		return new ProviderThrottler(
				ThrottlePolicy.of("openai", bound, Limit.of(Dimension.REQUESTS, 1000, Duration.ofSeconds(1)))
					.withBurst(Duration.ofSeconds(1))
					.withAutoConcurrent(true),
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
	void aLowerBoundAppliedWhileACallComesBackNeverBlocks() throws Exception {
		ProviderThrottler throttler = throttler(8);
		Partition partition = throttler.defaultPartition();
		List<Permit> held = take(partition, AdaptiveConcurrency.START);
		assertThat(partition.tryAcquire(Cost.oneRequest())).as("the limit is reached").isNull();
		CountDownLatch start = new CountDownLatch(1);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread applier = new Thread(() -> {
			await(start);
			throttler.apply(throttler.policy().withMaxConcurrent(2));
		});
		Thread releaser = new Thread(() -> {
			await(start);
			held.get(0).reportOutcome(Permit.Outcome.OVERLOADED);
			held.get(0).release(Cost.oneRequest());
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
		});
		assertThat(failure.get()).isNull();
		assertThat(partition.concurrencyLimit()).isLessThanOrEqualTo(2);
		assertWaitersAdmittedAsPermitsComeBack(partition, held.subList(1, held.size()));
	}

	@Test
	void anOverloadAnswerThatLowersTheLimitBelowTheCallsInFlightStrandsNoWaiter() {
		Partition partition = throttler(0).defaultPartition();
		List<Permit> held = take(partition, AdaptiveConcurrency.START);
		// the last one was sent with 4 in flight and refused: the provider took 3
		Permit refused = held.remove(held.size() - 1);
		refused.reportOutcome(Permit.Outcome.OVERLOADED);
		refused.release(Cost.oneRequest());
		assertThat(partition.concurrencyLimit()).isEqualTo(3);
		// the one sent with 3 in flight refused too (same episode): the provider took 2
		Permit again = held.remove(held.size() - 1);
		again.reportOutcome(Permit.Outcome.OVERLOADED);
		again.release(Cost.oneRequest());
		assertThat(partition.concurrencyLimit()).isEqualTo(2);
		// the first one, sent alone, refused: the provider took none, and the limit stays
		// 1
		Permit first = held.remove(0);
		first.reportOutcome(Permit.Outcome.OVERLOADED);
		first.release(Cost.oneRequest());
		assertThat(partition.concurrencyLimit()).isEqualTo(1);
		assertThat(partition.tryAcquire(Cost.oneRequest())).as("1 in flight, limit 1").isNull();
		assertWaitersAdmittedAsPermitsComeBack(partition, held);
	}

	private void assertWaitersAdmittedAsPermitsComeBack(Partition partition, List<Permit> held) {
		int limit = partition.concurrencyLimit();
		assertThat(held.size()).isGreaterThanOrEqualTo(limit);
		List<CompletableFuture<Permit>> waiters = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			waiters.add(partition.acquireAsync(Cost.oneRequest()));
		}
		this.time.advance(Duration.ofSeconds(1));
		assertThat(waiters).as("nobody is admitted while the lowered limit is full")
			.noneMatch(CompletableFuture::isDone);
		List<Permit> out = new ArrayList<>(held);
		List<Permit> seen = new ArrayList<>();
		while (!out.isEmpty()) {
			out.remove(0).release(null);
			this.time.advance(Duration.ofSeconds(1));
			for (CompletableFuture<Permit> waiter : waiters) {
				if (waiter.isDone() && !seen.contains(waiter.join())) {
					seen.add(waiter.join());
					out.add(waiter.join());
				}
			}
			assertThat(partition.snapshot().inFlight()).isEqualTo(out.size());
			assertThat(out.size()).isLessThanOrEqualTo(Math.max(limit, held.size()));
		}
		assertThat(waiters).allMatch(CompletableFuture::isDone);
		assertThat(waiters).noneMatch(CompletableFuture::isCompletedExceptionally);
		assertThat(partition.snapshot().inFlight()).isZero();
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
