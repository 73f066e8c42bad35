package dev.llmthrottle.core.redis;

import dev.llmthrottle.test.junit.RequiresRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis hangs mid-run ({@code SIGSTOP} on a server of the test's own, then
 * {@code SIGCONT}): every decision follows the failure policy, no caller waits past its
 * deadline, each degraded decision is reported once, and the instances are back on Redis
 * within 5 seconds of it answering again.
 */
@RequiresRedis
class RedisOutageTest {

	private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(200);

	private static final Duration MAX_WAIT = Duration.ofSeconds(2);

	/**
	 * The longest a decision may take: the wait bound plus one command timeout and
	 * scheduling slack.
	 */
	private static final long DEADLINE_NANOS = MAX_WAIT.plus(COMMAND_TIMEOUT).plusMillis(300).toNanos();

	private final AtomicLong reportedDegraded = new AtomicLong();

	private final ThrottleListener listener = new ThrottleListener() {
		@Override
		public void backendDegraded(String provider, String reason) {
			RedisOutageTest.this.reportedDegraded.incrementAndGet();
		}
	};

	@Test
	void failingOpenAdmitsWithinTheLocalShareAndReturnsToRedis() throws Exception {
		ThrottlePolicy policy = ThrottlePolicy.of("sim", 0, Limit.of(Dimension.REQUESTS, 40, Duration.ofSeconds(1)))
			.withMaxWait(MAX_WAIT);
		RedisBackendSettings settings = settings(FailurePolicy.FAIL_OPEN_LOCAL);
		try (RedisServerProcess server = RedisServerProcess.start();
				RedisInstances instances = new RedisInstances(2, server.uri(), settings, policy, this.listener)) {
			try (Run run = new Run(instances, 3)) {
				run.during(Duration.ofMillis(1_500));
				assertThat(degradedDecisions(instances)).isZero();
				server.pause();
				long pausedAt = System.nanoTime();
				run.during(Duration.ofSeconds(3));
				long inPause = run.admittedSince(pausedAt);
				server.resume();
				long resumedAt = System.nanoTime();
				await().atMost(Duration.ofSeconds(5))
					.pollInterval(Duration.ofMillis(20))
					.until(() -> !instances.get(0).states().degraded() && !instances.get(1).states().degraded());
				long recoveredMillis = (System.nanoTime() - resumedAt) / 1_000_000;
				long degradedAfterRecovery = degradedDecisions(instances);
				run.during(Duration.ofSeconds(1));
				run.stop();

				assertThat(run.failures()).as("fail-open: no caller is refused").isEmpty();
				assertThat(run.slowest()).as("no caller waits past its deadline").isLessThan(DEADLINE_NANOS);
				assertThat(degradedAfterRecovery).as("decisions taken locally while Redis hung").isPositive();
				assertThat(this.reportedDegraded.get()).as("each degraded decision reported once")
					.isEqualTo(degradedAfterRecovery);
				// each instance keeps 1/2 of 40 per second: 3 s of pause plus one window
				// of slack
				assertThat(inPause).as("admitted while paused").isLessThanOrEqualTo(2 * 20 * 4);
				assertThat(recoveredMillis).as("back on Redis after it answers").isLessThan(5_000);
				assertThat(degradedDecisions(instances)).as("no degraded decision once recovered")
					.isEqualTo(degradedAfterRecovery);
			}
		}
	}

	@Test
	void failingClosedRefusesAtOnceAndReturnsToRedis() throws Exception {
		ThrottlePolicy policy = ThrottlePolicy.of("sim", 0, Limit.of(Dimension.REQUESTS, 40, Duration.ofSeconds(1)))
			.withMaxWait(MAX_WAIT);
		RedisBackendSettings settings = settings(FailurePolicy.FAIL_CLOSED);
		try (RedisServerProcess server = RedisServerProcess.start();
				RedisInstances instances = new RedisInstances(1, server.uri(), settings, policy, this.listener)) {
			try (Run run = new Run(instances, 2)) {
				run.during(Duration.ofMillis(1_000));
				assertThat(run.failures()).isEmpty();
				server.pause();
				long pausedAt = System.nanoTime();
				run.during(Duration.ofSeconds(2));
				server.resume();
				await().atMost(Duration.ofSeconds(5)).until(() -> !instances.get(0).states().degraded());
				long recoveredAt = System.nanoTime();
				run.during(Duration.ofSeconds(1));
				run.stop();

				assertThat(run.failures()).isNotEmpty()
					.allSatisfy((failure) -> assertThat(failure).isInstanceOf(BackendUnavailableException.class));
				assertThat(run.failuresBetween(recoveredAt, Long.MAX_VALUE)).isZero();
				assertThat(run.admittedSince(recoveredAt)).isPositive();
				assertThat(run.failuresBetween(pausedAt, recoveredAt)).isEqualTo(run.failures().size());
				assertThat(run.slowest()).isLessThan(DEADLINE_NANOS);
				assertThat(this.reportedDegraded.get()).isEqualTo(run.failures().size());
			}
		}
	}

	private static RedisBackendSettings settings(FailurePolicy policy) {
		return RedisBackendSettings.defaults()
			.withKeyPrefix(TestRedis.uniquePrefix())
			.withOnFailure(policy)
			.withExpectedInstances(2)
			.withCommandTimeout(COMMAND_TIMEOUT);
	}

	private static long degradedDecisions(RedisInstances instances) {
		return instances.all().stream().mapToLong((instance) -> instance.states().degradedDecisions()).sum();
	}

	/** Callers looping acquire/release on every instance, recording each decision. */
	private static final class Run implements AutoCloseable {

		private final ExecutorService callers;

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final Queue<Long> admittedAt = new ConcurrentLinkedQueue<>();

		private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();

		private final AtomicLong slowest = new AtomicLong();

		private final List<Future<?>> loops = new ArrayList<>();

		Run(RedisInstances instances, int threadsPerInstance) {
			this.callers = Executors.newFixedThreadPool(instances.all().size() * threadsPerInstance);
			for (RedisInstances.Instance instance : instances.all()) {
				for (int i = 0; i < threadsPerInstance; i++) {
					this.loops.add(this.callers.submit(() -> loop(instance)));
				}
			}
		}

		private Void loop(RedisInstances.Instance instance) throws InterruptedException {
			while (this.running.get()) {
				long start = System.nanoTime();
				try {
					instance.throttler.acquire(null, Cost.oneRequest()).release(null);
					this.admittedAt.add(System.nanoTime());
				}
				catch (RuntimeException ex) {
					this.failures.add(new Failure(System.nanoTime(), ex));
					// a refused caller backs off a little, as a real one would
					await().pollDelay(Duration.ofMillis(20)).until(() -> true);
				}
				this.slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
			}
			return null;
		}

		void during(Duration duration) {
			await().pollDelay(duration).atMost(duration.plusSeconds(1)).until(() -> true);
		}

		void stop() throws Exception {
			this.running.set(false);
			for (Future<?> loop : this.loops) {
				loop.get(10, TimeUnit.SECONDS);
			}
		}

		long admittedSince(long since) {
			return this.admittedAt.stream().filter((at) -> at - since >= 0).count();
		}

		List<Throwable> failures() {
			return this.failures.stream().map(Failure::failure).toList();
		}

		long failuresBetween(long from, long to) {
			return this.failures.stream().filter((f) -> f.at - from >= 0 && to - f.at > 0).count();
		}

		long slowest() {
			return this.slowest.get();
		}

		@Override
		public void close() {
			this.running.set(false);
			this.callers.shutdownNow();
		}

		private record Failure(long at, Throwable failure) {
		}

	}

}
