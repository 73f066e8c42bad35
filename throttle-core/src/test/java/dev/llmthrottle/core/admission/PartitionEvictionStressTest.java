package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.SystemTimeSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real threads racing evictions: six keys share three partition places, so partitions are
 * retired and created again all the time while threads admit through fresh and stale
 * references. With max-concurrent 1 per key, no key ever has two calls in flight, and
 * nothing is left held.
 */
@Timeout(60)
class PartitionEvictionStressTest {

	private static final int THREADS = 4;

	private static final int OPERATIONS = 30_000;

	private static final int KEYS = 6;

	@Test
	void evictionsRacingAdmissionsNeverAdmitTwoForOneKey() throws Exception {
		try (SystemTimeSource time = new SystemTimeSource()) {
			// no limits: a partition is idle the moment nothing is in flight, so eviction
			// churns at full speed
			ThrottlePolicy policy = new ThrottlePolicy("stress", List.of(), 1, Duration.ofSeconds(5), 100,
					Duration.ZERO, 1 + KEYS / 2);
			ProviderThrottler throttler = new ProviderThrottler(policy, time, PartitionKeys.withRandomSecret(),
					ThrottleListener.NONE);
			AtomicIntegerArray inFlight = new AtomicIntegerArray(KEYS);
			AtomicInteger admitted = new AtomicInteger();
			AtomicInteger violations = new AtomicInteger();
			ExecutorService pool = Executors.newFixedThreadPool(THREADS);
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < THREADS; t++) {
				long seed = t;
				futures.add(pool.submit(() -> {
					Random random = new Random(seed);
					Partition[] kept = new Partition[KEYS];
					for (int i = 0; i < OPERATIONS; i++) {
						int key = random.nextInt(KEYS);
						try {
							if (kept[key] == null || random.nextInt(4) == 0) {
								kept[key] = throttler.partition("tenant-" + key); // else:
																					// a
																					// stale
																					// reference
							}
							Permit permit = kept[key].tryAcquire(Cost.oneRequest());
							if (permit == null) {
								continue;
							}
							if (inFlight.incrementAndGet(key) > 1) {
								violations.incrementAndGet();
							}
							admitted.incrementAndGet();
							Thread.onSpinWait();
							inFlight.decrementAndGet(key);
							permit.release(null);
						}
						catch (PartitionLimitException ex) {
							// every place held by a key with a call in flight
						}
					}
				}));
			}
			for (Future<?> future : futures) {
				future.get();
			}
			pool.shutdown();
			assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
			assertThat(violations.get()).as("a key with two calls in flight").isZero();
			assertThat(admitted.get()).isGreaterThan(OPERATIONS / 10);
			for (Partition partition : throttler.partitions()) {
				assertThat(partition.snapshot().inFlight()).isZero();
				assertThat(partition.snapshot().repeatedReleases()).isZero();
			}
		}
	}

}
