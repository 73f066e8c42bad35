package dev.llmthrottle.core.redis;

import dev.llmthrottle.test.junit.RequiresRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;

/**
 * Not a test: admissions per second from one JVM against the shared loopback Redis, with
 * 1, 8 and 64 callers, on one partition and on a partition per caller, with and without a
 * concurrency cap, and the script calls Redis ran per admission
 * ({@code INFO commandstats}). Limits never bind, so every admission is a round trip's
 * worth of work. Runs only with {@code -Dllmthrottle.redis.bench=true}; see
 * docs/redis.md.
 */
@RequiresRedis
class RedisAdmissionBenchmark {

	private static final Duration RUN = Duration.ofSeconds(Long.getLong("llmthrottle.redis.bench.seconds", 3));

	@Test
	void admissionsPerSecond() throws Exception {
		Assumptions.assumeTrue(Boolean.getBoolean("llmthrottle.redis.bench"),
				"benchmark: run with -Dllmthrottle.redis.bench=true");
		StringBuilder table = new StringBuilder(
				String.format("| callers | partitions | concurrency cap | admissions/s | script calls per admission |%n"
						+ "|---|---|---|---|---|%n"));
		for (int maxConcurrent : new int[] { 0, 1_000 }) {
			for (boolean partitionPerCaller : new boolean[] { false, true }) {
				for (int callers : new int[] { 1, 8, 64 }) {
					table.append(run(callers, partitionPerCaller, maxConcurrent));
				}
			}
		}
		System.out.print(table);
	}

	private String run(int callers, boolean partitionPerCaller, int maxConcurrent) throws Exception {
		ThrottlePolicy policy = ThrottlePolicy
			.of("bench", maxConcurrent, Limit.of(Dimension.REQUESTS, 1_000_000_000L, Duration.ofSeconds(1)),
					Limit.of(Dimension.TOKENS, 1_000_000_000_000L, Duration.ofMinutes(1)))
			.withMaxQueue(10_000);
		RedisBackendSettings settings = RedisBackendSettings.defaults().withKeyPrefix(TestRedis.uniquePrefix());
		ExecutorService threads = Executors.newFixedThreadPool(callers);
		try (RedisInstances.Instance instance = new RedisInstances.Instance(TestRedis.SHARED, settings, policy,
				ThrottleListener.NONE); TestRedis redis = new TestRedis(TestRedis.SHARED)) {
			warmUp(instance);
			AtomicBoolean running = new AtomicBoolean(true);
			AtomicLong admitted = new AtomicLong();
			long scriptsBefore = redis.scriptCalls();
			long start = System.nanoTime();
			List<Future<?>> loops = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				String key = partitionPerCaller ? "caller-" + i : null;
				loops.add(threads.submit(() -> {
					while (running.get()) {
						instance.throttler.acquire(key, Cost.of(100, 100)).release(null);
						admitted.incrementAndGet();
					}
					return null;
				}));
			}
			await(RUN);
			running.set(false);
			for (Future<?> loop : loops) {
				loop.get(10, TimeUnit.SECONDS);
			}
			double seconds = (System.nanoTime() - start) / 1e9;
			await(Duration.ofMillis(300)); // releases still on the executor
			long scripts = redis.scriptCalls() - scriptsBefore;
			return String.format("| %d | %s | %s | %,.0f | %.2f |%n", callers,
					partitionPerCaller ? "one per caller" : "one", (maxConcurrent > 0) ? maxConcurrent : "none",
					admitted.get() / seconds, (double) scripts / admitted.get());
		}
		finally {
			threads.shutdownNow();
		}
	}

	private static void warmUp(RedisInstances.Instance instance) throws InterruptedException {
		for (int i = 0; i < 2_000; i++) {
			instance.throttler.acquire("warm-up", Cost.of(1, 1)).release(null);
		}
	}

	private static void await(Duration duration) {
		org.awaitility.Awaitility.await().pollDelay(duration).atMost(duration.plusSeconds(1)).until(() -> true);
	}

}
