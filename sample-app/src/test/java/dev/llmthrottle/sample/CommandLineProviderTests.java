package dev.llmthrottle.sample;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import dev.llmthrottle.sample.batch.BatchRunner;
import dev.llmthrottle.sample.batch.BatchSummary;
import dev.llmthrottle.sample.simulated.SimulatedProviders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12: the batch's provider is selected by {@code sample.batch.provider} alone; a
 * provider defined only on the command line (no method, no {@code application.yml} entry)
 * works. Before, this failed: "has no @LlmThrottled method in ThrottledChat".
 */
class CommandLineProviderTests {

	private static final String OPENAI = "--llm.throttle.providers.openai.";

	@Test
	void aProviderDefinedOnlyOnTheCommandLineRunsTheBatch() {
		String[] args = { "--sample.batch.provider=openai", OPENAI + "dialect=openai",
				OPENAI + "requests-per-minute=1200", OPENAI + "tokens-per-minute=1000000", OPENAI + "max-concurrent=4",
				"--sample.simulated.providers=openai", "--sample.batch.count=6", "--sample.batch.exit=false",
				"--sample.batch.progress-interval=1s", "--sample.batch.output=target/sample-output/command-line.jsonl",
				"--sample.simulated.latency=10ms", "--sample.simulated.latency-per-token=0ms",
				"--sample.simulated.latency-jitter=0ms", "--server.port=0" };
		try (ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class, args)) {
			BatchSummary summary = context.getBean(BatchRunner.class).summary();
			assertThat(summary.line()).startsWith("SUMMARY provider=openai requests=6 succeeded=6 failed=0 http_429=0");
			assertThat(context.getBean(SimulatedProviders.class).get("openai").orElseThrow().stats().tooManyRequests())
				.isZero();
		}
	}

}
