package dev.llmthrottle.test;

import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.test.config.LatencyModel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A latency that changes at an instant (the benchmark of adaptive concurrency). */
class LatencyStepTest {

	@Test
	void latencyIsMultipliedForCallsArrivingAfterTheStep() throws Exception {
		try (SimulatedProvider provider = SimulatedProvider.builder()
			.latency(LatencyModel.fixed(Duration.ofMillis(150)).withStep(Duration.ofMillis(600), 3))
			.start()) {
			long before = timed(provider);
			Thread.sleep(Math.max(0, 700 - before));
			long after = timed(provider);
			assertThat(before).isBetween(150L, 400L);
			assertThat(after).isBetween(450L, 900L);
		}
	}

	@Test
	void aStepIsValidated() {
		assertThatThrownBy(() -> LatencyModel.fixed(Duration.ofMillis(1)).withStep(Duration.ofSeconds(1), 0))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> LatencyModel.fixed(Duration.ofMillis(1)).withStep(Duration.ofSeconds(-1), 2))
			.isInstanceOf(IllegalArgumentException.class);
		assertThat(LatencyModel.fixed(Duration.ofMillis(1)).withStep(Duration.ofSeconds(1), 2)
			.scaled(Long.MAX_VALUE / 2, Duration.ofSeconds(2).toNanos())).isEqualTo(Long.MAX_VALUE);
	}

	private static long timed(SimulatedProvider provider) throws Exception {
		long start = System.nanoTime();
		HttpResponse<String> response = Http.post(provider.chatUri(), Http.openAiBody("Hello", 5));
		assertThat(response.statusCode()).isEqualTo(200);
		return (System.nanoTime() - start) / 1_000_000;
	}

}
