package dev.llmthrottle.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import dev.llmthrottle.sample.batch.BatchRunner;
import dev.llmthrottle.sample.batch.BatchSummary;
import dev.llmthrottle.sample.simulated.SimulatedProviders;
import dev.llmthrottle.test.stats.ProviderStats;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the real batch at startup against the in-process simulated provider, scaled down:
 * 40 prompts against 20 requests and 6,000 tokens per 2 s (the lower bound is 4 s), then
 * checks the figures and the files. One subclass per enforcement model (subclasses); the
 * simulator's own count of the 429s it sent is the one asserted.
 *
 * <p>
 * The demo calls run first ({@code sample.demo.enabled}): besides showing that they work,
 * they warm up the JVM and the HTTP client. Cold, the first requests can reach the
 * simulator a few hundred milliseconds late, bunched with the next ones, and with limits
 * scaled down to seconds that alone can draw a 429 (the starter's guard for such jitter
 * is 1% of the period: 50 ms here, 600 ms for the default per-minute limits).
 */
@SpringBootTest(properties = { "sample.batch.count=40", "sample.batch.exit=false", "sample.batch.progress-interval=1s",
		"sample.demo.enabled=true", "llm.throttle.providers.openai-sim.requests-per-minute=",
		"llm.throttle.providers.openai-sim.tokens-per-minute=",
		"llm.throttle.providers.openai-sim.limits[0].dimension=requests",
		"llm.throttle.providers.openai-sim.limits[0].amount=40",
		"llm.throttle.providers.openai-sim.limits[0].period=5s",
		"llm.throttle.providers.openai-sim.limits[1].dimension=tokens",
		"llm.throttle.providers.openai-sim.limits[1].amount=15000",
		"llm.throttle.providers.openai-sim.limits[1].period=5s", "sample.simulated.latency=50ms",
		"sample.simulated.latency-per-token=1ms", "sample.simulated.latency-jitter=50ms" })
abstract class BatchEndToEndTests {

	static final int COUNT = 40;

	@Autowired
	BatchRunner batch;

	@Autowired
	SimulatedProviders simulators;

	@Autowired
	JsonMapper json;

	@Value("${sample.batch.output}")
	Path output;

	@Test
	void everyPromptSucceedsWithoutA429() {
		BatchSummary summary = this.batch.summary();
		assertThat(summary.line()).matches("SUMMARY provider=openai-sim requests=40 succeeded=40 failed=0 http_429=0 "
				+ "retries=\\d+ makespan_s=\\d+\\.\\d\\d lower_bound_s=\\d+\\.\\d\\d efficiency=\\d\\.\\d{3}");
		ProviderStats stats = this.simulators.get("openai-sim").orElseThrow().stats();
		assertThat(stats.tooManyRequests()).isZero();
		assertThat(stats.responsesByStatus()).containsOnlyKeys(200);
		assertThat(summary.retries()).isZero();
		assertThat(this.batch.getExitCode()).isZero();
	}

	@Test
	void theBatchRunsCloseToTheLowerBound() {
		BatchSummary summary = this.batch.summary();
		assertThat(summary.lowerBoundSeconds()).isGreaterThanOrEqualTo(COUNT * 2.0 / 20); // the
																							// request
																							// limit
		assertThat(summary.efficiency()).isGreaterThanOrEqualTo(0.8);
	}

	@Test
	void theResultsFileHasOneLinePerPrompt() throws IOException {
		List<String> lines = Files.readAllLines(this.output);
		assertThat(lines).hasSize(COUNT);
		List<JsonNode> results = lines.stream().map(this.json::readTree).toList();
		Set<String> ids = results.stream().map((result) -> result.get("id").asString()).collect(Collectors.toSet());
		assertThat(ids).isEqualTo(
				IntStream.rangeClosed(1, COUNT).mapToObj((i) -> String.format("p%03d", i)).collect(Collectors.toSet()));
		assertThat(results).allSatisfy((result) -> {
			assertThat(result.get("status").asString()).isEqualTo("ok");
			assertThat(result.get("http_status").asInt()).isEqualTo(200);
			assertThat(result.get("attempts").asInt()).isGreaterThanOrEqualTo(1);
			assertThat(result.get("tokens_in").asLong()).isPositive();
			assertThat(result.get("tokens_out").asLong()).isPositive();
			assertThat(result.get("error").isNull()).isTrue();
		});
		assertThat(Files.readString(this.output.resolveSibling("timeline.svg"))).startsWith("<svg")
			.endsWith("</svg>\n");
	}

}
