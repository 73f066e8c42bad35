package dev.llmthrottle.test;

import static dev.llmthrottle.test.Http.header;
import static dev.llmthrottle.test.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.config.Dialect;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The concurrency cap, and the server's own capacity for concurrent connections. */
class ConcurrencyTest {

	private static void awaitInFlight(SimulatedProvider provider, int n) {
		Awaitility.await("" + n + " in flight")
			.atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(5))
			.until(() -> provider.stats().inFlight() >= n);
	}

	@Test
	void overTheCapOpenAiAnswers429WithTheTimeUntilASlotFrees() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(2);
		try (SimulatedProvider provider = SimulatedProvider.builder()
			.maxConcurrent(2)
			.latency(Duration.ofMillis(1500))
			.start()) {
			List<Future<HttpResponse<String>>> slow = new ArrayList<>();
			for (int i = 0; i < 2; i++) {
				slow.add(pool.submit(() -> Http.post(provider.chatUri(), Http.openAiBody("Hello", 10))));
			}
			awaitInFlight(provider, 2);
			HttpResponse<String> refused = Http.post(provider.chatUri(), Http.openAiBody("Hello", 10));
			assertThat(refused.statusCode()).isEqualTo(429);
			assertThat(header(refused, "retry-after")).isIn("1", "2");
			assertThat(json(refused.body()).get("error").get("message").asString())
				.startsWith("Too many concurrent requests");
			for (Future<HttpResponse<String>> f : slow) {
				assertThat(f.get().statusCode()).isEqualTo(200);
			}
			assertThat(provider.stats().rejected("concurrency")).isEqualTo(1);
			assertThat(provider.stats().maxInFlight()).isEqualTo(2);
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void overTheCapAnthropicAnswers529() throws Exception {
		ExecutorService pool = Executors.newSingleThreadExecutor();
		try (SimulatedProvider provider = SimulatedProvider.builder()
			.dialect(Dialect.ANTHROPIC)
			.maxConcurrent(1)
			.latency(Duration.ofMillis(800))
			.start()) {
			Future<HttpResponse<String>> slow = pool
				.submit(() -> Http.post(provider.chatUri(), Http.anthropicBody("Hello", 10)));
			awaitInFlight(provider, 1);
			HttpResponse<String> refused = Http.post(provider.chatUri(), Http.anthropicBody("Hello", 10));
			assertThat(refused.statusCode()).isEqualTo(529);
			assertThat(json(refused.body()).get("error").get("type").asString()).isEqualTo("overloaded_error");
			assertThat(slow.get().statusCode()).isEqualTo(200);
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void servesSixtyFourConcurrentConnections() throws Exception {
		try (SimulatedProvider provider = SimulatedProvider.builder().latency(Duration.ofMillis(100)).start()) {
			NaiveClient.Result result = NaiveClient.run(provider.chatUri(), Http.openAiBody("Hi", 5), 64, 640, null);
			assertThat(result.ok()).isEqualTo(640);
			assertThat(provider.stats().maxInFlight()).isGreaterThanOrEqualTo(48);
			assertThat(result.elapsed()).isLessThan(Duration.ofSeconds(10));
		}
	}

}
