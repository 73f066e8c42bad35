package dev.llmthrottle.test;

import dev.llmthrottle.test.config.LatencyModel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Arrival jitter (issue 14): each request waits {@code U[0, arrivalJitter)} before the
 * enforcer sees it. The delays come from a seeded source, so the same seed gives the same
 * sequence: ten sequential requests with up to 200 ms each take this seed's sum of delays
 * (about a second), against a few milliseconds without jitter.
 */
class ArrivalJitterTest {

	@Test
	void requestsReachTheEnforcerAfterTheirArrivalDelay() throws Exception {
		Duration withJitter = tenSequentialCalls(Duration.ofMillis(200));
		Duration without = tenSequentialCalls(Duration.ZERO);
		assertThat(withJitter).isGreaterThan(Duration.ofMillis(400)).isGreaterThan(without.plusMillis(300));
	}

	@Test
	void aNegativeArrivalJitterIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> LatencyModel.none().withArrivalJitter(Duration.ofMillis(-1)))
			.withMessageContaining("arrivalJitter");
	}

	private static Duration tenSequentialCalls(Duration arrivalJitter) throws Exception {
		try (SimulatedProvider provider = SimulatedProvider.builder()
			.latency(LatencyModel.none().withArrivalJitter(arrivalJitter))
			.seed(3)
			.start()) {
			long start = System.nanoTime();
			for (int i = 0; i < 10; i++) {
				assertThat(Http.post(provider.chatUri(), Http.openAiBody("Hi " + i, 5)).statusCode()).isEqualTo(200);
			}
			return Duration.ofNanos(System.nanoTime() - start);
		}
	}

}
