package dev.llmthrottle.autoconfigure.sdk;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.anthropic.client.AnthropicClient;
import com.openai.client.OpenAIClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.llmthrottle.autoconfigure.sdk.SdkFixture.Mode;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.stats.ProviderStats;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dependency alignment: openai-java 4.101.0 and anthropic-java 3.16.0 (their OkHttp
 * clients) wrapped by the SDK adapter, against the simulated provider over real HTTP, in
 * every enforcement model, blocking and asynchronous, whole and streamed: no 429, our
 * settled tokens equal to the provider's own count, limits learnt with {@code auto}, and
 * a concurrent batch with no failure.
 */
class OfficialSdkAlignmentTests {

	private static final int CALLS_PER_MODE = 3;

	private final SystemTimeSource time = new SystemTimeSource();

	@AfterEach
	void close() {
		this.time.close();
	}

	private static SimulatedProvider.Builder simulator(dev.llmthrottle.test.config.Dialect dialect,
			EnforcementModel model) {
		return SimulatedProvider.builder().dialect(dialect).model(model).latency(Duration.ofMillis(10)).seed(23);
	}

	@ParameterizedTest
	@EnumSource(EnforcementModel.class)
	void openAiJavaInEveryModel(EnforcementModel model) throws Exception {
		// 8 per 2 s: the binding limit, long enough that arrival jitter on a loaded
		// machine stays well inside it
		Duration period = Duration.ofSeconds(2);
		Duration long_ = Duration.ofMinutes(1);
		try (SimulatedProvider simulator = simulator(dev.llmthrottle.test.config.Dialect.OPENAI, model)
			.limit("requests", 8, period)
			.limit("tokens", 1_000_000, long_)
			.start()) {
			SdkFixture fixture = new SdkFixture(simulator, Dialect.OPENAI, this.time, SdkFixture.retries(),
					List.of(Limit.of(Dimension.REQUESTS, 8, period), Limit.of(Dimension.TOKENS, 1_000_000, long_)),
					List.of());
			OpenAIClient client = fixture.openAi();
			List<Integer> received = runModes((mode) -> SdkFixture.call(client, mode));
			assertThat(received).hasSize(4 * CALLS_PER_MODE).allSatisfy((n) -> assertThat(n).isPositive());
			settle(fixture);
			ProviderStats stats = simulator.stats();
			assertThat(stats.tooManyRequests()).as("429s in %s", model).isZero();
			assertThat(stats.admitted()).isEqualTo(4 * CALLS_PER_MODE);
			assertThat(used(fixture, 1)).as("our settled tokens = the provider's (%s)", model)
				.isEqualTo(stats.admittedByDimension().get("tokens"));
			fixture.assertNothingHeld();
		}
	}

	@ParameterizedTest
	@EnumSource(EnforcementModel.class)
	void anthropicJavaInEveryModel(EnforcementModel model) throws Exception {
		// 8 per 2 s: the binding limit, long enough that arrival jitter on a loaded
		// machine stays well inside it
		Duration period = Duration.ofSeconds(2);
		Duration long_ = Duration.ofMinutes(1);
		try (SimulatedProvider simulator = simulator(dev.llmthrottle.test.config.Dialect.ANTHROPIC, model)
			.limit("requests", 8, period)
			.limit("input-tokens", 1_000_000, long_)
			.limit("output-tokens", 1_000_000, long_)
			.start()) {
			SdkFixture fixture = new SdkFixture(simulator, Dialect.ANTHROPIC, this.time, SdkFixture.retries(),
					List.of(Limit.of(Dimension.REQUESTS, 8, period), Limit.of(Dimension.INPUT_TOKENS, 1_000_000, long_),
							Limit.of(Dimension.OUTPUT_TOKENS, 1_000_000, long_)),
					List.of());
			AnthropicClient client = fixture.anthropic();
			List<Integer> received = runModes((mode) -> SdkFixture.call(client, mode));
			assertThat(received).hasSize(4 * CALLS_PER_MODE).allSatisfy((n) -> assertThat(n).isPositive());
			settle(fixture);
			ProviderStats stats = simulator.stats();
			assertThat(stats.tooManyRequests()).as("429s in %s", model).isZero();
			assertThat(stats.admitted()).isEqualTo(4 * CALLS_PER_MODE);
			assertThat(used(fixture, 1)).as("input tokens settled (%s)", model)
				.isEqualTo(stats.admittedByDimension().get("input-tokens"));
			assertThat(used(fixture, 2)).as("output tokens settled (%s)", model)
				.isEqualTo(stats.admittedByDimension().get("output-tokens"));
			fixture.assertNothingHeld();
		}
	}

	@Test
	void limitsAreLearntWithAuto() throws Exception {
		try (SimulatedProvider simulator = simulator(dev.llmthrottle.test.config.Dialect.OPENAI,
				EnforcementModel.SLIDING_WINDOW)
			.limit("requests", 1200, Duration.ofMinutes(1))
			.limit("tokens", 200_000, Duration.ofMinutes(1))
			.start()) {
			Limit requests = Limit.perMinute(Dimension.REQUESTS, 60);
			Limit tokens = Limit.perMinute(Dimension.TOKENS, 1_000_000_000L);
			SdkFixture fixture = new SdkFixture(simulator, Dialect.OPENAI, this.time, SdkFixture.retries(),
					List.of(requests, tokens), List.of(requests, tokens));
			OpenAIClient client = fixture.openAi();
			// the SDK's first call loads its classes (seconds on a loaded machine): made
			// outside the throttle (and outside the limits' evidence) before timing
			SdkFixture.call(com.openai.client.okhttp.OpenAIOkHttpClient.builder()
				.baseUrl(simulator.baseUrl() + "/v1")
				.apiKey("sk-warm-up")
				.build(), Mode.BLOCKING);
			long started = System.nanoTime();
			List<Integer> received = runModes((mode) -> SdkFixture.call(client, mode));
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			settle(fixture);
			assertThat(received).hasSize(4 * CALLS_PER_MODE);
			assertThat(simulator.stats().tooManyRequests()).isZero();
			List<PartitionSnapshot.LimitState> limits = fixture.partition().snapshot().limits();
			assertThat(limits.get(0).limit().amount()).as("learnt from x-ratelimit-limit-requests").isEqualTo(1200);
			assertThat(limits.get(1).limit().amount()).as("learnt from x-ratelimit-limit-tokens").isEqualTo(200_000);
			// 12 calls at the provisional 1 per second would take 11 s
			assertThat(took).isLessThan(Duration.ofSeconds(8));
			fixture.assertNothingHeld();
		}
	}

	@Test
	void concurrentBatchFromEightThreads() throws Exception {
		Duration period = Duration.ofSeconds(2);
		try (SimulatedProvider simulator = simulator(dev.llmthrottle.test.config.Dialect.OPENAI,
				EnforcementModel.SLIDING_WINDOW)
			.limit("requests", 40, period)
			.start()) {
			SdkFixture fixture = new SdkFixture(simulator, Dialect.OPENAI, this.time, SdkFixture.retries(),
					List.of(Limit.of(Dimension.REQUESTS, 40, period)), List.of());
			OpenAIClient client = fixture.openAi();
			ExecutorService threads = Executors.newFixedThreadPool(8);
			List<Future<Integer>> calls = new ArrayList<>();
			for (int i = 0; i < 120; i++) {
				Mode mode = Mode.values()[i % 4];
				calls.add(threads.submit(() -> SdkFixture.call(client, mode)));
			}
			int failures = 0;
			for (Future<Integer> call : calls) {
				try {
					call.get(60, TimeUnit.SECONDS);
				}
				catch (Exception ex) {
					failures++;
				}
			}
			threads.shutdown();
			settle(fixture);
			ProviderStats stats = simulator.stats();
			System.out.printf("openai-java, 120 calls from 8 threads against 40 per 2 s: %d failed, %d 429s%n",
					failures, stats.tooManyRequests());
			assertThat(failures).isZero();
			assertThat(stats.tooManyRequests()).isZero();
			assertThat(stats.admitted()).isEqualTo(120);
			fixture.assertNothingHeld();
		}
	}

	private static long used(SdkFixture fixture, int limit) {
		return fixture.partition().snapshot().limits().get(limit).used();
	}

	/** A stream's lease is settled as its last event passes: wait for the last ones. */
	private static void settle(SdkFixture fixture) {
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> fixture.partition().snapshot().inFlight() == 0);
	}

	/** Sends {@link #CALLS_PER_MODE} calls in each mode, four at a time. */
	private static List<Integer> runModes(Call call) throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(4);
		try {
			List<Future<Integer>> futures = new ArrayList<>();
			for (int i = 0; i < CALLS_PER_MODE; i++) {
				for (Mode mode : Mode.values()) {
					futures.add(threads.submit(() -> call.send(mode)));
				}
			}
			List<Integer> received = new ArrayList<>();
			for (Future<Integer> future : futures) {
				received.add(future.get(60, TimeUnit.SECONDS));
			}
			return received;
		}
		finally {
			threads.shutdownNow();
		}
	}

	@FunctionalInterface
	private interface Call {

		int send(Mode mode) throws Exception;

	}

}
