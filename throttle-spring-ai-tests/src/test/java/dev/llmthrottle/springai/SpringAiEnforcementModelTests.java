package dev.llmthrottle.springai;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.function.IntFunction;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.context.ConfigurableApplicationContext;

import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.stats.ProviderStats;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring AI 2.0.1's OpenAI and Anthropic chat models, with only the starter and
 * properties, against the simulated provider under each of its four enforcement models:
 * {@code ChatModel} and {@code ChatClient}, blocking and streamed, from several threads.
 * Every call succeeds, the provider refuses none, and the tokens our partition settled
 * equal the provider's own count, dimension by dimension. One application per model
 * family; the simulator is restarted on the same port for each enforcement model.
 */
class SpringAiEnforcementModelTests {

	// 8 requests a second, over a 3 s window: the engine keeps 1% of a period (30 ms) as
	// a
	// guard against the jitter between our admission and the provider's arrival stamp on
	// a
	// busy machine (1 s periods leave 10 ms, which a loaded 2-core machine exceeds)
	private static final Duration PERIOD = Duration.ofSeconds(3);

	private static final int LIMIT = 24;

	private static final int CALLS = 28;

	@Test
	void openAi() throws Exception {
		int port = freePort();
		List<String> properties;
		try (SimulatedProvider first = simulator(port, Dialect.OPENAI, EnforcementModel.TOKEN_BUCKET, "tokens")) {
			properties = SpringAiApp.openAi(first);
			properties.addAll(
					SpringAiApp.provider("sim", first, "openai", "requests " + LIMIT + " 3s", "tokens 10000000 10m"));
		}
		try (ConfigurableApplicationContext context = SpringAiApp.start(properties)) {
			Partition partition = SpringAiApp.partition(context, "sim", SpringAiApp.OPENAI_KEY);
			for (EnforcementModel model : EnforcementModel.values()) {
				try (SimulatedProvider simulator = simulator(port, Dialect.OPENAI, model, "tokens")) {
					Map<String, Long> before = used(partition);
					runMixedBatch(context, model);
					assertSettledAsTheProviderCounted(model, simulator, partition, before, List.of("tokens"));
				}
			}
		}
	}

	@Test
	void anthropic() throws Exception {
		int port = freePort();
		List<String> properties;
		try (SimulatedProvider first = simulator(port, Dialect.ANTHROPIC, EnforcementModel.TOKEN_BUCKET, "input-tokens",
				"output-tokens")) {
			properties = SpringAiApp.anthropic(first);
			properties.addAll(SpringAiApp.provider("sim", first, "anthropic", "requests " + LIMIT + " 3s",
					"input-tokens 10000000 10m", "output-tokens 10000000 10m"));
		}
		try (ConfigurableApplicationContext context = SpringAiApp.start(properties)) {
			Partition partition = SpringAiApp.partition(context, "sim", SpringAiApp.ANTHROPIC_KEY);
			for (EnforcementModel model : EnforcementModel.values()) {
				try (SimulatedProvider simulator = simulator(port, Dialect.ANTHROPIC, model, "input-tokens",
						"output-tokens")) {
					Map<String, Long> before = used(partition);
					runMixedBatch(context, model);
					assertSettledAsTheProviderCounted(model, simulator, partition, before,
							List.of("input-tokens", "output-tokens"));
				}
			}
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static Map<String, Long> used(Partition partition) {
		Map<String, Long> used = new HashMap<>();
		for (PartitionSnapshot.LimitState limit : partition.snapshot().limits()) {
			used.merge(limit.limit().dimension().id(), limit.used(), Long::sum);
		}
		return used;
	}

	private static SimulatedProvider simulator(int port, Dialect dialect, EnforcementModel model,
			String... tokenDimensions) {
		SimulatedProvider.Builder builder = SimulatedProvider.builder()
			.port(port)
			.dialect(dialect)
			.model(model)
			.limit("requests", LIMIT, PERIOD)
			.latency(Duration.ofMillis(20))
			.seed(model.ordinal() + 1);
		for (String dimension : tokenDimensions) {
			builder.limit(dimension, 10_000_000, Duration.ofMinutes(10));
		}
		return builder.start();
	}

	/**
	 * 28 calls from 4 threads (more than the window allows): ChatModel and ChatClient,
	 * each blocking and streamed.
	 */
	private static void runMixedBatch(ConfigurableApplicationContext context, EnforcementModel model)
			throws InterruptedException {
		ChatModel chatModel = context.getBean(ChatModel.class);
		ChatClient chatClient = context.getBean(ChatClient.Builder.class).build();
		IntFunction<String> call = (i) -> switch (i % 4) {
			case 0 -> chatModel.call("Say something about rate limits, please. " + i);
			case 1 -> String.join("", chatModel.stream("Stream a line about queues. " + i).collectList().block());
			case 2 -> chatClient.prompt().user("A word on pacing. " + i).call().content();
			default -> String.join("",
					chatClient.prompt()
						.user("Stream a word on windows. " + i)
						.stream()
						.content()
						.collectList()
						.block());
		};
		Batch batch = Batch.run(CALLS, 4, call);
		assertThat(batch.failures()).as("%s", model).isEmpty();
		assertThat(batch.succeeded()).as("%s", model).isEqualTo(CALLS);
	}

	private static void assertSettledAsTheProviderCounted(EnforcementModel model, SimulatedProvider simulator,
			Partition partition, Map<String, Long> before, List<String> dimensions) {
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> partition.snapshot().inFlight() == 0);
		ProviderStats stats = simulator.stats();
		System.out.printf("%s: %d admitted, %d 429s %s, tokens %s%n", model, stats.admitted(), stats.tooManyRequests(),
				stats.rejectedByReason(), stats.admittedByDimension());
		assertThat(stats.tooManyRequests()).as("%s: 429s %s", model, stats.rejectedByReason()).isZero();
		assertThat(stats.admitted()).as("%s", model).isEqualTo(CALLS);
		Map<String, Long> after = used(partition);
		for (String dimension : dimensions) {
			assertThat(after.get(dimension) - before.get(dimension))
				.as("%s: settled %s = the provider's count", model, dimension)
				.isEqualTo(stats.admittedByDimension().get(dimension));
		}
		assertThat(partition.snapshot().queued()).isZero();
		assertThat(partition.snapshot().repeatedReleases()).isZero();
	}

}
