package dev.llmthrottle.bench.overhead;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;

/**
 * One admission and its release, with limits so large that nothing ever waits: the fast
 * path every call pays. Each contestant fails loudly (throws) if it ever refuses, so a
 * refusal can never pass for a fast admission.
 *
 * <p>
 * Pairs to compare: {@code ours_requests} with {@code r4j_limiter} and
 * {@code bucket4j_bucket} (one requests limit); {@code ours_common} with
 * {@code r4j_bulkhead_2limiters} and {@code bucket4j_semaphore_2buckets} (concurrency +
 * requests + tokens, 500 tokens per call); {@code ours_proxy} with {@code ours_common}
 * (what the annotation adds). {@code semaphore_floor} is a bare {@link Semaphore}:
 * nothing that counts can cost less. Run with several threads ({@code -t 2},
 * {@code -t 8}) for the contended figures; the states are shared by all threads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AdmissionBenchmarks {

	/** Far above anything a benchmark can consume per period. */
	static final long HUGE = 1L << 50;

	/** Tokens per call, as a Resilience4j weight and as our cost. */
	static final int TOKENS_PER_CALL = 500;

	static final Cost ONE_REQUEST = Cost.oneRequest();

	/**
	 * The annotation charges its {@code tokens} expression as input tokens; the engine
	 * cases spend the same.
	 */
	static final Cost COMMON_COST = new Cost(1, TOKENS_PER_CALL, 0);

	@Benchmark
	public boolean semaphore_floor(Floor state) {
		if (!state.semaphore.tryAcquire()) {
			throw new IllegalStateException("refused");
		}
		state.semaphore.release();
		return true;
	}

	@Benchmark
	public boolean r4j_limiter(Resilience4j state) {
		if (!state.requests.acquirePermission(1)) {
			throw new IllegalStateException("refused");
		}
		return true;
	}

	@Benchmark
	public boolean r4j_bulkhead_2limiters(Resilience4j state) {
		if (!state.bulkhead.tryAcquirePermission()) {
			throw new IllegalStateException("refused");
		}
		if (!state.requests.acquirePermission(1) || !state.tokens.acquirePermission(TOKENS_PER_CALL)) {
			throw new IllegalStateException("refused");
		}
		state.bulkhead.onComplete();
		return true;
	}

	@Benchmark
	public boolean bucket4j_bucket(Bucket4j state) {
		if (!state.requests.tryConsume(1)) {
			throw new IllegalStateException("refused");
		}
		return true;
	}

	@Benchmark
	public boolean bucket4j_semaphore_2buckets(Bucket4j state) {
		if (!state.concurrency.tryAcquire()) {
			throw new IllegalStateException("refused");
		}
		if (!state.requests.tryConsume(1) || !state.tokens.tryConsume(TOKENS_PER_CALL)) {
			throw new IllegalStateException("refused");
		}
		state.concurrency.release();
		return true;
	}

	@Benchmark
	public boolean ours_requests(Engine state) throws InterruptedException {
		Permit permit = state.oneLimit.acquire(ONE_REQUEST);
		return permit.release(null);
	}

	@Benchmark
	public boolean ours_common(Engine state) throws InterruptedException {
		Permit permit = state.common.acquire(COMMON_COST);
		return permit.release(null);
	}

	@Benchmark
	public int ours_proxy(Proxy state) {
		return state.service.call();
	}

	/** The floor: one plain semaphore. */
	@State(Scope.Benchmark)
	public static class Floor {

		Semaphore semaphore;

		@Setup(Level.Trial)
		public void setUp() {
			this.semaphore = new Semaphore(Integer.MAX_VALUE);
		}

	}

	/**
	 * Bare Resilience4j: a {@code SemaphoreBulkhead} and two {@code AtomicRateLimiter}s.
	 * Their counters are ints per cycle, so the token limiter refreshes every 10 ms to
	 * stay out of reach.
	 */
	@State(Scope.Benchmark)
	public static class Resilience4j {

		Bulkhead bulkhead;

		AtomicRateLimiter requests;

		AtomicRateLimiter tokens;

		@Setup(Level.Trial)
		public void setUp() {
			this.bulkhead = Bulkhead.of("bench",
					BulkheadConfig.custom()
						.maxConcurrentCalls(Integer.MAX_VALUE)
						.maxWaitDuration(Duration.ZERO)
						.build());
			this.requests = new AtomicRateLimiter("requests",
					RateLimiterConfig.custom()
						.limitForPeriod(Integer.MAX_VALUE)
						.limitRefreshPeriod(Duration.ofSeconds(1))
						.timeoutDuration(Duration.ZERO)
						.build());
			this.tokens = new AtomicRateLimiter("tokens",
					RateLimiterConfig.custom()
						.limitForPeriod(Integer.MAX_VALUE)
						.limitRefreshPeriod(Duration.ofMillis(10))
						.timeoutDuration(Duration.ZERO)
						.build());
		}

	}

	/**
	 * bucket4j local (lock-free) buckets, one per limit, and a semaphore for concurrency.
	 */
	@State(Scope.Benchmark)
	public static class Bucket4j {

		Semaphore concurrency;

		Bucket requests;

		Bucket tokens;

		@Setup(Level.Trial)
		public void setUp() {
			this.concurrency = new Semaphore(Integer.MAX_VALUE);
			this.requests = bucket();
			this.tokens = bucket();
		}

		/**
		 * bucket4j refills at most one token per nanosecond, less than 500-token calls
		 * can spend, so the bucket starts with a stock (10^12) that no run of these
		 * benchmarks exhausts, and refills at that maximum.
		 */
		private static Bucket bucket() {
			return Bucket.builder()
				.addLimit(Bandwidth.builder()
					.capacity(1_000_000_000_000L)
					.refillGreedy(1_000_000L, Duration.ofMillis(1))
					.build())
				.build();
		}

	}

	/**
	 * Our engine, Spring-free: a partition with one requests limit, and one with
	 * concurrency + requests + tokens.
	 */
	@State(Scope.Benchmark)
	public static class Engine {

		SystemTimeSource time;

		Partition oneLimit;

		Partition common;

		@Setup(Level.Trial)
		public void setUp() {
			this.time = new SystemTimeSource();
			PartitionKeys keys = PartitionKeys.withRandomSecret();
			this.oneLimit = new ProviderThrottler(
					ThrottlePolicy.of("one", 0, Limit.perMinute(Dimension.REQUESTS, HUGE)), this.time, keys,
					ThrottleListener.NONE)
				.defaultPartition();
			ThrottlePolicy common = ThrottlePolicy.of("common", Integer.MAX_VALUE,
					Limit.perMinute(Dimension.REQUESTS, HUGE), Limit.perMinute(Dimension.TOKENS, HUGE));
			this.common = new ProviderThrottler(common, this.time, keys, ThrottleListener.NONE).defaultPartition();
		}

		@TearDown(Level.Trial)
		public void tearDown() {
			check(this.oneLimit);
			check(this.common);
			this.time.close();
		}

		private static void check(Partition partition) {
			if (partition.snapshot().inFlight() != 0 || partition.snapshot().repeatedReleases() != 0) {
				throw new IllegalStateException("permits leaked or released twice: " + partition.snapshot());
			}
		}

	}

	/**
	 * The same common-case limits behind {@code @LlmThrottled}, in a minimal application
	 * context.
	 */
	@State(Scope.Benchmark)
	public static class Proxy {

		ProxyFixture fixture;

		ThrottledService service;

		@Setup(Level.Trial)
		public void setUp() {
			this.fixture = ProxyFixture.start(
					List.of(Limit.perMinute(Dimension.REQUESTS, HUGE), Limit.perMinute(Dimension.TOKENS, HUGE)),
					Integer.MAX_VALUE);
			this.service = this.fixture.service();
		}

		@TearDown(Level.Trial)
		public void tearDown() {
			this.fixture.close();
		}

	}

}
