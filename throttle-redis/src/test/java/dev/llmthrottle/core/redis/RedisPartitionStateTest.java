package dev.llmthrottle.core.redis;

import dev.llmthrottle.test.junit.RequiresRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.leaks.PermitLeakAllowed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Partition states on a real Redis, through the engine ({@code ProviderThrottler}),
 * several instances with their own connections: shared cooldown and concurrency, lease
 * heartbeat and expiry, unknown releases, {@code SCRIPT
 * FLUSH} under load, and key hygiene over 10,000 partitions.
 */
@RequiresRedis
class RedisPartitionStateTest {

	private TestRedis redis;

	private RedisBackendSettings settings;

	@BeforeEach
	void setUp() {
		this.redis = new TestRedis(TestRedis.SHARED);
		this.settings = RedisBackendSettings.defaults().withKeyPrefix(TestRedis.uniquePrefix());
	}

	@AfterEach
	void tearDown() {
		this.redis.close();
	}

	@Test
	void aCooldownSetByOneInstanceIsSeenByAnother() throws Exception {
		ThrottlePolicy policy = policy(0, Limit.of(Dimension.REQUESTS, 1000, Duration.ofSeconds(1)));
		try (RedisInstances instances = new RedisInstances(2, TestRedis.SHARED, this.settings, policy,
				ThrottleListener.NONE)) {
			instances.get(0).throttler.defaultPartition().coolDown(Duration.ofMillis(800), "HTTP 429");
			String cooldownKey = RedisKeys.of(this.settings.keyPrefix(), "sim", "default").cooldown();
			await().atMost(Duration.ofSeconds(2)).until(() -> this.redis.sync().pttl(cooldownKey) > 0);
			long start = System.nanoTime();
			Permit permit = instances.get(1).throttler.acquire(null, Cost.oneRequest());
			long waitedMillis = (System.nanoTime() - start) / 1_000_000;
			permit.release(null);
			assertThat(waitedMillis).isBetween(500L, 1_500L);
		}
	}

	@Test
	void concurrencyIsSharedAcrossInstances() throws Exception {
		ThrottlePolicy policy = policy(2, Limit.of(Dimension.REQUESTS, 1000, Duration.ofSeconds(1)));
		try (RedisInstances instances = new RedisInstances(2, TestRedis.SHARED, this.settings, policy,
				ThrottleListener.NONE)) {
			Permit first = instances.get(0).throttler.acquire(null, Cost.oneRequest());
			Permit second = instances.get(0).throttler.acquire(null, Cost.oneRequest());
			CompletableFuture<Permit> third = instances.get(1).throttler.acquireAsync(null, Cost.oneRequest());
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> !third.isDone());
			first.release(null);
			Permit admitted = third.get(2, TimeUnit.SECONDS);
			admitted.release(null);
			second.release(null);
		}
	}

	@Test
	@PermitLeakAllowed("simulates a crashed instance: its permit is never released, its lease must expire")
	void aHeldLeaseIsRenewedAndACrashedInstancesLeaseExpires() throws Exception {
		RedisBackendSettings shortLeases = this.settings.withLeaseTtl(Duration.ofMillis(600));
		ThrottlePolicy policy = policy(1, Limit.of(Dimension.REQUESTS, 1000, Duration.ofSeconds(1)));
		RedisInstances.Instance crashing = new RedisInstances.Instance(TestRedis.SHARED, shortLeases, policy,
				ThrottleListener.NONE);
		try (RedisInstances.Instance survivor = new RedisInstances.Instance(TestRedis.SHARED, shortLeases, policy,
				ThrottleListener.NONE)) {
			crashing.throttler.acquire(null, Cost.oneRequest()); // never released
			CompletableFuture<Permit> waiting = survivor.throttler.acquireAsync(null, Cost.oneRequest());
			await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3)).until(() -> !waiting.isDone()); // 2.5
																													// lease
																													// TTLs:
																													// the
																													// heartbeat
																													// keeps
																													// the
																													// lease
			long crashedAt = System.nanoTime();
			crashing.close(); // no release, no more heartbeats
			Permit permit = waiting.get(3, TimeUnit.SECONDS);
			long reclaimedMillis = (System.nanoTime() - crashedAt) / 1_000_000;
			assertThat(reclaimedMillis).as("reclaimed within the lease TTL plus a second").isLessThan(1_600);
			permit.release(null);
			assertThat(crashing.states().lostLeases()).isZero();
		}
	}

	@Test
	void releasingAnExpiredLeaseIsDetectedAndNotCounted() throws Exception {
		ThrottlePolicy policy = policy(1, Limit.of(Dimension.REQUESTS, 1000, Duration.ofSeconds(1)));
		try (RedisInstances.Instance instance = new RedisInstances.Instance(TestRedis.SHARED, this.settings, policy,
				ThrottleListener.NONE)) {
			Permit permit = instance.throttler.acquire(null, Cost.oneRequest());
			this.redis.sync().del(RedisKeys.of(this.settings.keyPrefix(), "sim", "default").leases());
			Permit other = instance.throttler.acquire(null, Cost.oneRequest()); // the
																				// slot
																				// was
																				// freed
																				// in
																				// Redis
			permit.release(null);
			await().atMost(Duration.ofSeconds(2)).until(() -> instance.states().unknownLeaseReleases() == 1);
			// the second holder still holds the only slot: the stale release did not free
			// it
			CompletableFuture<Permit> third = instance.throttler.acquireAsync(null, Cost.oneRequest());
			await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> !third.isDone());
			other.release(null);
			third.get(2, TimeUnit.SECONDS).release(null);
		}
	}

	@Test
	void aScriptFlushDuringARunFailsNoDecision() throws Exception {
		ThrottlePolicy policy = policy(8, Limit.of(Dimension.REQUESTS, 100_000, Duration.ofSeconds(1)));
		AtomicLong degraded = new AtomicLong();
		ThrottleListener listener = new ThrottleListener() {
			@Override
			public void backendDegraded(String provider, String reason) {
				degraded.incrementAndGet();
			}
		};
		ExecutorService callers = Executors.newFixedThreadPool(4);
		// SCRIPT FLUSH on a private server: the shared one serves other builds
		try (RedisServerProcess server = RedisServerProcess.start();
				TestRedis privateRedis = new TestRedis(server.uri());
				RedisInstances instances = new RedisInstances(2, server.uri(), this.settings, policy, listener)) {
			AtomicBoolean running = new AtomicBoolean(true);
			AtomicLong admitted = new AtomicLong();
			List<Future<?>> loops = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				RedisInstances.Instance instance = instances.get(i % 2);
				loops.add(callers.submit(() -> {
					while (running.get()) {
						instance.throttler.acquire(null, Cost.oneRequest()).release(null);
						admitted.incrementAndGet();
					}
					return null;
				}));
			}
			long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
			int flushes = 0;
			while (System.nanoTime() < end) {
				privateRedis.sync().scriptFlush();
				flushes++;
				await().pollDelay(Duration.ofMillis(50)).until(() -> true);
			}
			running.set(false);
			for (Future<?> loop : loops) {
				loop.get(5, TimeUnit.SECONDS); // rethrows any failed decision
			}
			assertThat(flushes).isGreaterThan(10);
			assertThat(admitted.get()).isGreaterThan(100);
			assertThat(degraded.get()).isZero();
			assertThat(instances.get(0).states().degraded()).isFalse();
		}
		finally {
			callers.shutdownNow();
		}
	}

	@Test
	void tenThousandPartitionsLeaveOnlyHashedKeysAndEveryKeyExpires() throws Exception {
		ThrottlePolicy policy = policy(2, Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1)),
				Limit.of(Dimension.TOKENS, 10_000, Duration.ofSeconds(20)))
			.withMaxPartitions(20_000);
		try (RedisInstances.Instance instance = new RedisInstances.Instance(TestRedis.SHARED, this.settings, policy,
				ThrottleListener.NONE)) {
			List<CompletableFuture<Permit>> permits = new ArrayList<>();
			for (int i = 0; i < 10_000; i++) {
				permits.add(instance.throttler.acquireAsync("tenant-" + i + "-sk-test-CANARY", Cost.of(10, 5)));
			}
			for (CompletableFuture<Permit> permit : permits) {
				permit.get(30, TimeUnit.SECONDS).release(Cost.of(10, 2));
			}
			await().atMost(Duration.ofSeconds(30))
				.until(() -> instance.provider.pool().getQueue().isEmpty()
						&& instance.provider.pool().getActiveCount() == 0);
			instance.throttler.partition("tenant-9999-sk-test-CANARY").coolDown(Duration.ofSeconds(1), "HTTP 429");
			await().atMost(Duration.ofSeconds(2))
				.until(() -> !this.redis.scan(this.settings.keyPrefix() + ":*:c").isEmpty());
			List<String> keys = this.redis.scan(this.settings.keyPrefix() + ":*");
			assertThat(keys).hasSizeGreaterThanOrEqualTo(30_000); // state and two windows
																	// per partition
			for (String key : keys) {
				assertThat(key).doesNotContain("tenant")
					.doesNotContain("CANARY")
					.matches("\\Q" + this.settings.keyPrefix()
							+ "\\E:\\{sim:k[0-9a-f]{24}\\}:(s|l|c|w:r1000000|w:t20000000)");
			}
			List<io.lettuce.core.RedisFuture<Long>> ttls = new ArrayList<>();
			for (String key : keys) {
				ttls.add(this.redis.async().pttl(key));
			}
			for (int i = 0; i < keys.size(); i++) {
				assertThat(ttls.get(i).get(10, TimeUnit.SECONDS)).as(keys.get(i))
					.isNotEqualTo(-1L)
					.isLessThanOrEqualTo(31_000L);
			}
		}
	}

	private static ThrottlePolicy policy(int maxConcurrent, Limit... limits) {
		return ThrottlePolicy.of("sim", maxConcurrent, limits).withMaxWait(Duration.ofSeconds(10));
	}

}
