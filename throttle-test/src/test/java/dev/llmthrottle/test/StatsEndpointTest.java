package dev.llmthrottle.test;

import static dev.llmthrottle.test.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.clock.ManualClock;
import dev.llmthrottle.test.config.CompletionLength;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** GET /stats and POST /reset. */
class StatsEndpointTest {

	@Test
	void statsAreServedAsJsonAndResetClearsThem() throws Exception {
		ManualClock clock = new ManualClock();
		try (SimulatedProvider provider = SimulatedProvider.builder()
			.limit("requests:2/10s")
			.limit("tokens:500/10s")
			.completionLength(CompletionLength.fraction(0.5))
			.clock(clock)
			.start()) {
			Http.post(provider.chatUri(), Http.openAiBody("Hello", 40));
			clock.advance(Duration.ofSeconds(1));
			Http.post(provider.chatUri(), Http.openAiBody("Hello", 40));
			Http.post(provider.chatUri(), Http.openAiBody("Hello", 40));

			JsonNode stats = json(Http.get(provider.uri("/stats")).body());
			assertThat(stats.get("received").asLong()).isEqualTo(3);
			assertThat(stats.get("admitted").asLong()).isEqualTo(2);
			assertThat(stats.get("rejectedByReason").get("rate-limit:requests").asLong()).isEqualTo(1);
			assertThat(stats.get("tooManyRequests").asLong()).isEqualTo(1);
			JsonNode requests = stats.get("limits").get(0);
			assertThat(requests.get("limit").asString()).isEqualTo("requests:2/10s");
			assertThat(requests.get("maxInWindow").asLong()).isEqualTo(2);
			assertThat(requests.get("maxInAnySecond").asLong()).isEqualTo(1);
			assertThat(requests.get("exceeded").asBoolean()).isFalse();
			JsonNode tokens = stats.get("limits").get(1);
			assertThat(tokens.get("maxInWindow").asLong()).as("two settled calls of 28").isEqualTo(56);
			assertThat(stats.get("firstAdmission").asString()).isEqualTo("2026-03-01T12:00:00Z");
			assertThat(stats.get("lastCompletion").asString()).isEqualTo("2026-03-01T12:00:01Z");
			assertThat(stats.get("activeSpanMillis").asLong()).isEqualTo(1000);

			HttpResponse<String> reset = Http.post(provider.uri("/reset"), "");
			assertThat(reset.statusCode()).isEqualTo(200);
			assertThat(provider.stats().received()).isZero();
			assertThat(provider.stats().admitted()).isZero();
			assertThat(Http.post(provider.chatUri(), Http.openAiBody("Hello", 40)).statusCode())
				.as("limits are full again")
				.isEqualTo(200);
			assertThat(Http.get(provider.uri("/health")).statusCode()).isEqualTo(200);
			assertThat(Http.get(provider.uri("/nope")).statusCode()).isEqualTo(404);
		}
	}

	@Test
	void completionLengthsAreReproducibleForASeed() throws Exception {
		long[] first = lengths(7);
		assertThat(lengths(7)).containsExactly(first);
		assertThat(lengths(8)).isNotEqualTo(first);
	}

	private static long[] lengths(long seed) throws Exception {
		try (SimulatedProvider provider = SimulatedProvider.builder().seed(seed).start()) {
			long[] lengths = new long[6];
			for (int i = 0; i < lengths.length; i++) {
				HttpResponse<String> r = Http.post(provider.chatUri(), Http.openAiBody("Question " + i, 200));
				lengths[i] = json(r.body()).get("usage").get("completion_tokens").asLong();
				assertThat(lengths[i]).isBetween(50L, 200L);
			}
			return lengths;
		}
	}

}
