package dev.llmthrottle.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Limit;
import dev.llmthrottle.test.stats.LimitStats;
import dev.llmthrottle.test.stats.ProviderStats;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The baseline the starter must beat: 16 threads with no rate control get 429s from every
 * model, and the server's own evidence shows what each model let through.
 */
class NaiveClientTest {

	static final Limit REQUESTS = Limit.parse("requests:20/2s");
	static final Limit TOKENS = Limit.parse("tokens:8000/2s");

	@ParameterizedTest
	@EnumSource(EnforcementModel.class)
	void aNaiveClientIsRefusedByEveryModel(EnforcementModel model) throws Exception {
		try (SimulatedProvider provider = SimulatedProvider.builder()
			.model(model)
			.limit(REQUESTS)
			.limit(TOKENS)
			.latency(Duration.ofMillis(20))
			.seed(42)
			.start()) {
			NaiveClient.Result result = NaiveClient.run(provider.chatUri(), Http.openAiBody("Hello", 100), 16, 120,
					null);
			ProviderStats stats = provider.stats();
			assertThat(result.tooManyRequests()).isPositive();
			assertThat(stats.tooManyRequests()).isEqualTo(result.tooManyRequests());
			assertThat(stats.admitted()).isEqualTo(result.ok());
			assertThat(stats.received()).isEqualTo(120);
			assertThat(stats.maxInFlight()).isBetween(1, 16);
			LimitStats requests = stats.limit(REQUESTS);
			switch (model) {
				case SLIDING_WINDOW:
					assertThat(requests.maxInWindow()).isEqualTo(20);
					break;
				case TOKEN_BUCKET:
				case FIXED_WINDOW:
					// a full bucket plus its refill, or two windows back to back
					assertThat(requests.maxInWindow()).isBetween(20L, 40L);
					break;
				case QUANTIZED:
					// 10 per second: the burst is cut far below the per-period figure
					assertThat(requests.maxInAnySecond()).isLessThanOrEqualTo(20);
					assertThat(stats.admitted()).isLessThan(40);
					break;
				default:
					throw new AssertionError(model);
			}
		}
	}

}
