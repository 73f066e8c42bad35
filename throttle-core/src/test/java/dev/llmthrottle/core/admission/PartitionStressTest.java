package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.SystemTimeSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real threads, real time: 16 threads x 20,000 admissions through a partition capped at 4
 * in flight. The cap is never exceeded, every permit is released exactly once and the
 * limits' books balance to the call.
 */
class PartitionStressTest {

	private static final int THREADS = 16;

	private static final int CALLS_PER_THREAD = 20_000;

	@Test
	void sixteenThreadsNeverExceedFourInFlight() throws Exception {
		try (SystemTimeSource time = new SystemTimeSource()) {
			Limit requests = Limit.of(Dimension.REQUESTS, 1_000_000_000_000L, Duration.ofHours(1));
			Limit tokens = Limit.of(Dimension.TOKENS, 1_000_000_000_000L, Duration.ofHours(1));
			ThrottlePolicy policy = new ThrottlePolicy("stress", List.of(requests, tokens), 4, Duration.ofMinutes(1),
					THREADS, Duration.ZERO, 10);
			Partition partition = new ProviderThrottler(policy, time, PartitionKeys.withRandomSecret(),
					ThrottleListener.NONE)
				.defaultPartition();
			AtomicInteger inFlight = new AtomicInteger();
			AtomicInteger maxInFlight = new AtomicInteger();
			AtomicLong sent = new AtomicLong();
			AtomicLong abandoned = new AtomicLong();
			AtomicLong tokensSpent = new AtomicLong();
			CountDownLatch start = new CountDownLatch(1);
			ExecutorService pool = Executors.newFixedThreadPool(THREADS);
			List<Future<?>> workers = new ArrayList<>();
			for (int t = 0; t < THREADS; t++) {
				workers.add(pool.submit(() -> {
					start.await();
					ThreadLocalRandom random = ThreadLocalRandom.current();
					for (int i = 0; i < CALLS_PER_THREAD; i++) {
						Cost cost = Cost.of(random.nextInt(100), random.nextInt(100));
						Permit permit = partition.acquire(cost);
						int now = inFlight.incrementAndGet();
						maxInFlight.accumulateAndGet(now, Math::max);
						for (int spin = random.nextInt(200); spin > 0; spin--) {
							Thread.onSpinWait(); // hold the permit a little, so that
													// holders overlap
						}
						inFlight.decrementAndGet();
						if (random.nextInt(10) == 0) {
							abandoned.incrementAndGet();
							assertThat(permit.abandon()).isTrue();
						}
						else {
							long actualOut = random.nextInt(100);
							sent.incrementAndGet();
							tokensSpent.addAndGet(cost.inputTokens() + actualOut);
							assertThat(permit.release(cost.withOutputTokens(actualOut))).isTrue();
						}
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> worker : workers) {
				worker.get(2, TimeUnit.MINUTES);
			}
			pool.shutdown();
			PartitionSnapshot snapshot = partition.snapshot();
			System.out.printf("stress: %d sent, %d abandoned, max in flight %d%n", sent.get(), abandoned.get(),
					maxInFlight.get());
			assertThat(maxInFlight.get()).isLessThanOrEqualTo(4);
			assertThat(sent.get() + abandoned.get()).isEqualTo((long) THREADS * CALLS_PER_THREAD);
			assertThat(snapshot.inFlight()).isZero();
			assertThat(snapshot.queued()).isZero();
			assertThat(snapshot.repeatedReleases()).isZero();
			assertThat(partition.bulkhead().getMetrics().getAvailableConcurrentCalls()).isEqualTo(4);
			assertThat(snapshot.limits().get(0).used()).isEqualTo(sent.get());
			assertThat(snapshot.limits().get(1).used()).isEqualTo(tokensSpent.get());
		}
	}

}
