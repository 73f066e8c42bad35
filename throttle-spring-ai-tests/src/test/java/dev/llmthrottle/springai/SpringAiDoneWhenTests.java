package dev.llmthrottle.springai;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.context.ConfigurableApplicationContext;

import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Faults;
import dev.llmthrottle.test.stats.ProviderStats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 13's "done when", scaled to short periods, with Spring AI's OpenAI chat model and
 * no annotation: 120 calls from 8 threads against a strict provider allowing 40 requests
 * per 2 s, then the same with an unseen neighbour taking a third of the quota; the SDK's
 * own retries (Spring AI's default {@code max-retries} of 3 left on) never multiply ours;
 * {@code auto} limits are learned from the provider's headers.
 */
class SpringAiDoneWhenTests {

	private static final int CALLS = 120;

	@Test
	void strictProviderAloneThenWithAnUnseenNeighbour() throws Exception {
		int port = freePort();
		List<String> properties;
		try (SimulatedProvider first = strict(port, Faults.none())) {
			properties = SpringAiApp.openAi(first);
			properties.addAll(SpringAiApp.provider("sim", first, "openai", "requests 40 2s", "tokens 100000000 10m"));
			properties.add("management.endpoints.web.exposure.include=llmthrottle");
		}
		try (ConfigurableApplicationContext context = SpringAiApp.start(properties)) {
			ChatModel chatModel = context.getBean(ChatModel.class);
			Partition partition = SpringAiApp.partition(context, "sim", SpringAiApp.OPENAI_KEY);
			LlmThrottleEndpoint endpoint = context.getBean(LlmThrottleEndpoint.class);

			try (SimulatedProvider simulator = strict(port, Faults.none())) {
				long tokensBefore = tokensUsed(partition);
				long settledBefore = settledCalls(endpoint);
				long started = System.nanoTime();
				Batch batch = Batch.run(CALLS, 8, (i) -> chatModel.call("Summarize item " + i + " in one line."));
				double seconds = (System.nanoTime() - started) / 1e9;
				awaitIdle(partition);
				ProviderStats stats = simulator.stats();
				System.out.printf("done-when alone: %d/%d succeeded, %d failed, %d 429s, %.1f s%n", batch.succeeded(),
						CALLS, batch.failures().size(), stats.tooManyRequests(), seconds);
				assertThat(batch.failures()).isEmpty();
				assertThat(stats.tooManyRequests()).isZero();
				assertThat(settledCalls(endpoint) - settledBefore).as("calls settled from their usage")
					.isEqualTo(CALLS);
				assertThat(tokensUsed(partition) - tokensBefore).as("settled tokens = the provider's count")
					.isEqualTo(stats.admittedByDimension().get("tokens"));
			}

			try (SimulatedProvider simulator = strict(port, Faults.none().noisyNeighbour(1.0 / 3))) {
				long started = System.nanoTime();
				Batch batch = Batch.run(CALLS, 8, (i) -> chatModel.call("Summarize item " + i + " in one line."));
				double seconds = (System.nanoTime() - started) / 1e9;
				awaitIdle(partition);
				ProviderStats stats = simulator.stats();
				System.out.printf("done-when with neighbour: %d/%d succeeded, %d failed, %d 429s (%.1f%%), %.1f s%n",
						batch.succeeded(), CALLS, batch.failures().size(), stats.tooManyRequests(),
						100.0 * stats.tooManyRequests() / CALLS, seconds);
				assertThat(batch.failures()).isEmpty();
				assertThat(stats.tooManyRequests()).as("429s under 5%% of calls").isLessThan(CALLS / 20);
			}
		}
	}

	@Test
	void whatWeGiveUpOnIsNotRetriedByTheSdk() throws Exception {
		try (SimulatedProvider simulator = SimulatedProvider.builder()
			.dialect(Dialect.OPENAI)
			.model(EnforcementModel.SLIDING_WINDOW)
			.limit("requests", 2, Duration.ofSeconds(30))
			.latency(Duration.ofMillis(5))
			// no rate-limit headers: nothing warns us before the 429 (with them we wait
			// for the reset instead and are never refused)
			.faults(Faults.none().missingHeaders(1.0))
			.seed(3)
			.start()) {
			List<String> properties = SpringAiApp.openAi(simulator);
			properties.addAll(SpringAiApp.provider("sim", simulator, "openai", "requests 100 30s"));
			properties.add("llm.throttle.providers.sim.retry.max-attempts=1");
			try (ConfigurableApplicationContext context = SpringAiApp.start(properties)) {
				ChatModel chatModel = context.getBean(ChatModel.class);
				chatModel.call("one");
				chatModel.call("two");
				assertThatThrownBy(() -> chatModel.call("three")).hasStackTraceContaining("429");
				awaitIdle(SpringAiApp.partition(context, "sim", SpringAiApp.OPENAI_KEY));
				// Spring AI's default max-retries is 3: without the mark the SDK would
				// have
				// sent the third call 4 times
				assertThat(simulator.stats().received()).isEqualTo(3);
			}
		}
	}

	@Test
	void autoLimitsAreLearnedFromTheProvider() throws Exception {
		try (SimulatedProvider simulator = SimulatedProvider.builder()
			.dialect(Dialect.OPENAI)
			.model(EnforcementModel.SLIDING_WINDOW)
			.limit("requests", 600, Duration.ofMinutes(1))
			.limit("tokens", 400_000, Duration.ofMinutes(1))
			.latency(Duration.ofMillis(5))
			.seed(4)
			.start()) {
			List<String> properties = SpringAiApp.openAi(simulator);
			properties.addAll(SpringAiApp.provider("sim", simulator, "openai"));
			properties.add("llm.throttle.providers.sim.requests-per-minute=auto");
			properties.add("llm.throttle.providers.sim.tokens-per-minute=auto");
			try (ConfigurableApplicationContext context = SpringAiApp.start(properties)) {
				ChatModel chatModel = context.getBean(ChatModel.class);
				Partition partition = SpringAiApp.partition(context, "sim", SpringAiApp.OPENAI_KEY);
				Batch batch = Batch.run(6, 2, (i) -> chatModel.call("Learn " + i));
				assertThat(batch.failures()).isEmpty();
				awaitIdle(partition);
				assertThat(amount(partition, Dimension.REQUESTS)).isEqualTo(600);
				assertThat(amount(partition, Dimension.TOKENS)).isEqualTo(400_000);
				assertThat(simulator.stats().tooManyRequests()).isZero();
			}
		}
	}

	private static SimulatedProvider strict(int port, Faults faults) {
		return SimulatedProvider.builder()
			.port(port)
			.dialect(Dialect.OPENAI)
			.model(EnforcementModel.SLIDING_WINDOW)
			.limit("requests", 40, Duration.ofSeconds(2))
			.limit("tokens", 100_000_000, Duration.ofMinutes(10))
			.latency(Duration.ofMillis(30))
			.faults(faults)
			.seed(13)
			.start();
	}

	private static long amount(Partition partition, Dimension dimension) {
		return partition.snapshot()
			.limits()
			.stream()
			.filter((limit) -> limit.limit().dimension() == dimension)
			.mapToLong((limit) -> limit.limit().amount())
			.findFirst()
			.orElse(-1);
	}

	private static long tokensUsed(Partition partition) {
		return partition.snapshot()
			.limits()
			.stream()
			.filter((limit) -> limit.limit().dimension() == Dimension.TOKENS)
			.mapToLong(PartitionSnapshot.LimitState::used)
			.sum();
	}

	private static long settledCalls(LlmThrottleEndpoint endpoint) {
		return endpoint.providers().providers().get("sim").counts().tokens().settledCalls();
	}

	private static void awaitIdle(Partition partition) {
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> partition.snapshot().inFlight() == 0);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
