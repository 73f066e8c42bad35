package dev.llmthrottle.test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.test.config.LatencyModel;
import dev.llmthrottle.test.dialect.ChatCall;
import dev.llmthrottle.test.dialect.ChatCallParser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A latency that changes at an instant (the benchmark of adaptive concurrency). */
class LatencyStepTest {

	@Test
	void latencyIsMultipliedForCallsArrivingAfterTheStep() throws Exception {
		ProviderSettings settings = SimulatedProvider.builder()
			.latency(new LatencyModel(Duration.ofMillis(150), Duration.ofMillis(2), Duration.ZERO)
				.withStep(Duration.ofSeconds(30), 2))
			.settings();
		CallPlanner planner = new CallPlanner(settings, List.of(500));
		ChatCall call = new ChatCallParser(100).openAi(Http.openAiBody("Hello", 5).getBytes(StandardCharsets.UTF_8));
		CallPlan before = planner.plan(call, Duration.ofSeconds(29).toNanos());
		CallPlan after = planner.plan(call, Duration.ofSeconds(30).toNanos());
		assertThat(before.firstTokenNanos()).isEqualTo(Duration.ofMillis(150).toNanos());
		assertThat(before.perTokenNanos()).isEqualTo(Duration.ofMillis(2).toNanos());
		assertThat(after.firstTokenNanos()).isEqualTo(Duration.ofMillis(300).toNanos());
		assertThat(after.perTokenNanos()).isEqualTo(Duration.ofMillis(4).toNanos());
	}

	@Test
	void aStepIsValidated() {
		assertThatThrownBy(() -> LatencyModel.fixed(Duration.ofMillis(1)).withStep(Duration.ofSeconds(1), 0))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> LatencyModel.fixed(Duration.ofMillis(1)).withStep(Duration.ofSeconds(-1), 2))
			.isInstanceOf(IllegalArgumentException.class);
		assertThat(LatencyModel.fixed(Duration.ofMillis(1))
			.withStep(Duration.ofSeconds(1), 2)
			.scaled(Long.MAX_VALUE / 2, Duration.ofSeconds(2).toNanos())).isEqualTo(Long.MAX_VALUE);
	}

}
