package dev.llmthrottle.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

import dev.llmthrottle.sample.batch.BatchRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12: the sample carries the Redis backend and Spring Data Redis for
 * {@code backend=redis}, but its default run (memory backend) must need no Redis: with
 * {@code spring.data.redis.*} pointing at a port where nothing listens, the batch
 * succeeds and {@code /actuator/health} is {@code UP} (Spring Data Redis's health check,
 * DOWN there, is off in {@code application.yml}).
 */
class DefaultRunWithoutRedisTests {

	@Test
	void theDefaultRunNeedsNoRedis() throws IOException {
		String[] args = { "--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + closedPort(),
				"--sample.batch.count=4", "--sample.batch.exit=false", "--sample.batch.progress-interval=1s",
				"--sample.batch.output=target/sample-output/without-redis.jsonl", "--sample.simulated.latency=10ms",
				"--sample.simulated.latency-per-token=0ms", "--sample.simulated.latency-jitter=0ms",
				"--sample.simulated.warm-up-requests=0", "--server.port=0" };
		try (ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class, args)) {
			assertThat(context.getBean(BatchRunner.class).summary().line())
				.startsWith("SUMMARY provider=openai-sim requests=4 succeeded=4 failed=0");
			String port = context.getEnvironment().getProperty("local.server.port");
			String health = WebClient.create("http://127.0.0.1:" + port)
				.get()
				.uri("/actuator/health")
				.exchangeToMono((response) -> response.bodyToMono(String.class))
				.block(Duration.ofSeconds(10));
			assertThat(health).contains("\"status\":\"UP\"");
		}
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
