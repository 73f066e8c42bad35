package dev.llmthrottle.autoconfigure.web;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.exchange.RetryPolicy;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Faults;
import dev.llmthrottle.test.stats.ProviderStats;
import reactor.core.publisher.Flux;

import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WebClient filter listening to the simulated provider over real HTTP: a noisy
 * neighbour seen only through the rate-limit headers, token settlement from non-streamed
 * and streamed usage in both dialects, and a provider whose real limit is lower than
 * configured (429s, shared cooldown, retries, then the lower limit learned).
 */
class SimulatedProviderFeedbackTest {

	private final SystemTimeSource time = new SystemTimeSource();

	@AfterEach
	void close() {
		this.time.close();
	}

	private ProviderThrottler throttler(String name, Limit... limits) {
		return new ProviderThrottler(
				new ThrottlePolicy(name, List.of(limits), 8, Duration.ofMinutes(1), 1000, Duration.ZERO, 10), this.time,
				PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
	}

	private WebClient client(SimulatedProvider simulator, ProviderThrottler throttler, Dialect dialect) {
		LlmProvider provider = new LlmProvider(throttler.name(), dialect, List.of(URI.create(simulator.baseUrl())),
				new RetryPolicy(6, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(30), null), 64,
				throttler);
		LlmThrottleExchangeFilterFunction filter = new LlmThrottleExchangeFilterFunction(
				new LlmProviders(List.of(provider)),
				new ResponseFeedback(Clock.systemUTC(), new Random(11), ThrottleListener.NONE),
				new CostEstimator(new JtokkitTokenCounter(), 1.2), this.time);
		WebClient.Builder builder = WebClient.builder().baseUrl(simulator.baseUrl());
		// warm Netty up outside the throttle: a cold first connection is far slower than
		// any later one
		builder.build().get().uri("/health").retrieve().toBodilessEntity().block(Duration.ofSeconds(10));
		return builder.filter(filter).build();
	}

	private static List<Integer> run(ProviderThrottler throttler, WebClient client, String path, String body,
			int calls) {
		List<Integer> statuses = Flux.range(0, calls)
			.flatMap(
					(i) -> client.post()
						.uri(path)
						.header("Content-Type", "application/json")
						.attribute(LlmThrottleAttributes.BODY, body)
						.bodyValue(body)
						.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value())),
					16)
			.collectList()
			.block(Duration.ofSeconds(90));
		// a stream's permit is settled in doFinally, just after its completion reached us
		Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> throttler.defaultPartition().snapshot().inFlight() == 0);
		return statuses;
	}

	private static void assertNothingHeld(ProviderThrottler throttler) {
		PartitionSnapshot snapshot = throttler.defaultPartition().snapshot();
		assertThat(snapshot.inFlight()).isZero();
		assertThat(snapshot.queued()).isZero();
		assertThat(snapshot.repeatedReleases()).isZero();
	}

	@Test
	void aNoisyNeighbourIsAvoidedThroughTheHeadersAlone() {
		Duration period = Duration.ofSeconds(2);
		try (SimulatedProvider simulator = SimulatedProvider.builder()
			.dialect(dev.llmthrottle.test.config.Dialect.OPENAI)
			.model(EnforcementModel.SLIDING_WINDOW)
			.limit("requests", 60, period)
			.latency(Duration.ofMillis(20))
			.faults(Faults.none().noisyNeighbour(0.5))
			.seed(5)
			.start()) {
			ProviderThrottler throttler = throttler("neighbour", Limit.of(Dimension.REQUESTS, 60, period));
			List<Integer> statuses = run(throttler, client(simulator, throttler, Dialect.OPENAI),
					"/v1/chat/completions",
					"{\"model\":\"gpt-4o\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
					90);
			ProviderStats stats = simulator.stats();
			System.out.printf("noisy neighbour: %d calls, %d 429s received%n", statuses.size(),
					stats.tooManyRequests());
			assertThat(statuses).hasSize(90).containsOnly(200);
			// without feedback about half the calls would be refused; the headers keep it
			// to a handful
			assertThat(stats.tooManyRequests()).isLessThanOrEqualTo(9);
			assertNothingHeld(throttler);
		}
	}

	@Test
	void openAiTokensSettleFromUsageStreamedOrNot() {
		Duration period = Duration.ofSeconds(10);
		try (SimulatedProvider simulator = SimulatedProvider.builder()
			.dialect(dev.llmthrottle.test.config.Dialect.OPENAI)
			.model(EnforcementModel.SLIDING_WINDOW)
			.limit("requests", 1000, period)
			.limit("tokens", 1_000_000, period)
			.latency(Duration.ofMillis(5))
			.seed(9)
			.start()) {
			ProviderThrottler throttler = throttler("openai-settle", Limit.of(Dimension.REQUESTS, 1000, period),
					Limit.of(Dimension.TOKENS, 1_000_000, period));
			WebClient client = client(simulator, throttler, Dialect.OPENAI);
			run(throttler, client, "/v1/chat/completions",
					"{\"model\":\"gpt-4o\",\"max_tokens\":200,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}]}",
					10);
			run(throttler, client, "/v1/chat/completions",
					"{\"model\":\"gpt-4o\",\"max_tokens\":200,\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}]}",
					10);
			long providerTokens = simulator.stats().admittedByDimension().get("tokens");
			long ourTokens = throttler.defaultPartition().snapshot().limits().get(1).used();
			assertThat(ourTokens).as("our books after settling = the provider's").isEqualTo(providerTokens);
			assertNothingHeld(throttler);
		}
	}

	@Test
	void anthropicOutputIsChargedAfterTheFact() {
		Duration period = Duration.ofSeconds(10);
		try (SimulatedProvider simulator = SimulatedProvider.builder()
			.dialect(dev.llmthrottle.test.config.Dialect.ANTHROPIC)
			.model(EnforcementModel.TOKEN_BUCKET)
			.limit("requests", 1000, period)
			.limit("input-tokens", 1_000_000, period)
			.limit("output-tokens", 1_000_000, period)
			.latency(Duration.ofMillis(5))
			.seed(13)
			.start()) {
			ProviderThrottler throttler = throttler("anthropic-settle", Limit.of(Dimension.REQUESTS, 1000, period),
					Limit.of(Dimension.INPUT_TOKENS, 1_000_000, period),
					Limit.of(Dimension.OUTPUT_TOKENS, 1_000_000, period));
			WebClient client = client(simulator, throttler, Dialect.ANTHROPIC);
			String body = "{\"model\":\"claude-sonnet-4\",\"max_tokens\":150,\"messages\":[{\"role\":\"user\",\"content\":\"Write a haiku about rate limits.\"}]}";
			run(throttler, client, "/v1/messages", body, 8);
			run(throttler, client, "/v1/messages", body.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\""), 8);
			ProviderStats stats = simulator.stats();
			List<PartitionSnapshot.LimitState> ours = throttler.defaultPartition().snapshot().limits();
			assertThat(ours.get(2).used()).as("output tokens charged after the fact")
				.isEqualTo(stats.admittedByDimension().get("output-tokens"));
			assertThat(ours.get(1).used()).as("input tokens settled from usage")
				.isEqualTo(stats.admittedByDimension().get("input-tokens"));
			assertNothingHeld(throttler);
		}
	}

	@Test
	void aLowerRealLimitIsSurvivedThenLearned() {
		// We believe 200 requests per minute; the provider enforces 60 per minute (1 per
		// second, quantized).
		try (SimulatedProvider simulator = SimulatedProvider.builder()
			.dialect(dev.llmthrottle.test.config.Dialect.OPENAI)
			.model(EnforcementModel.QUANTIZED)
			.limit("requests", 60, Duration.ofMinutes(1))
			.latency(Duration.ofMillis(10))
			.seed(17)
			.start()) {
			ProviderThrottler throttler = throttler("optimistic", Limit.perMinute(Dimension.REQUESTS, 200));
			List<Integer> statuses = run(throttler, client(simulator, throttler, Dialect.OPENAI),
					"/v1/chat/completions",
					"{\"model\":\"gpt-4o\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
					8);
			ProviderStats stats = simulator.stats();
			System.out.printf("lower real limit: %d 429s before learning%n", stats.tooManyRequests());
			assertThat(statuses).hasSize(8).containsOnly(200);
			assertThat(throttler.defaultPartition().snapshot().limits().get(0).limit().amount())
				.as("limit learned from x-ratelimit-limit-requests")
				.isEqualTo(60);
			assertThat(stats.tooManyRequests()).isLessThanOrEqualTo(2);
			assertNothingHeld(throttler);
		}
	}

	@Test
	void unknownLimitsAreLearnedFromTheHeaders() {
		try (SimulatedProvider simulator = SimulatedProvider.builder()
			.dialect(dev.llmthrottle.test.config.Dialect.OPENAI)
			.model(EnforcementModel.SLIDING_WINDOW)
			.limit("requests", 1200, Duration.ofMinutes(1))
			.limit("tokens", 200_000, Duration.ofMinutes(1))
			.latency(Duration.ofMillis(20))
			.seed(21)
			.start()) {
			Limit requests = Limit.perMinute(Dimension.REQUESTS, 60);
			Limit tokens = Limit.perMinute(Dimension.TOKENS, 1_000_000_000L);
			ProviderThrottler throttler = new ProviderThrottler(
					new ThrottlePolicy("auto", List.of(requests, tokens), 8, Duration.ofMinutes(1), 1000, Duration.ZERO,
							10, List.of(requests, tokens)),
					this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);
			long started = System.nanoTime();
			List<Integer> statuses = run(throttler, client(simulator, throttler, Dialect.OPENAI),
					"/v1/chat/completions",
					"{\"model\":\"gpt-4o\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
					60);
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			ProviderStats stats = simulator.stats();
			System.out.printf("auto limits: 60 calls in %d ms, %d 429s%n", took.toMillis(), stats.tooManyRequests());
			assertThat(statuses).hasSize(60).containsOnly(200);
			assertThat(stats.tooManyRequests()).isZero();
			List<PartitionSnapshot.LimitState> limits = throttler.defaultPartition().snapshot().limits();
			assertThat(limits.get(0).limit().amount()).isEqualTo(1200);
			assertThat(limits.get(1).limit().amount()).isEqualTo(200_000);
			// 60 calls at the learned 20 per second take about 3 s; at the provisional 1
			// per second they would take 60
			assertThat(took).isLessThan(Duration.ofSeconds(15));
			assertNothingHeld(throttler);
		}
	}

}
