package dev.llmthrottle.sample;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample as a web application without the batch: the three demo calls over HTTP, and
 * Actuator.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "sample.batch.enabled=false")
class DemoEndpointsTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@LocalServerPort
	int port;

	private WebClient client() {
		return WebClient.create("http://127.0.0.1:" + this.port);
	}

	@Test
	void blockingCallAnswers() {
		String text = client().get()
			.uri("/demo/blocking?q={q}", "Name a river.")
			.retrieve()
			.bodyToMono(String.class)
			.block(TIMEOUT);
		assertThat(text).isNotBlank();
	}

	@Test
	void monoCallAnswers() {
		String text = client().get().uri("/demo/mono?max_tokens=16").retrieve().bodyToMono(String.class).block(TIMEOUT);
		assertThat(text).isNotBlank();
	}

	@Test
	void streamedCallArrivesInPieces() {
		List<String> pieces = client().get()
			.uri("/demo/stream?max_tokens=40")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve()
			.bodyToFlux(String.class)
			.collectList()
			.block(TIMEOUT);
		assertThat(pieces).hasSizeGreaterThan(1);
		assertThat(String.join("", pieces)).isNotBlank();
	}

	@Test
	void actuatorHealthIsUp() {
		String health = client().get().uri("/actuator/health").retrieve().bodyToMono(String.class).block(TIMEOUT);
		assertThat(health).contains("\"status\":\"UP\"");
	}

}
