package dev.llmthrottle.autoconfigure.actuate;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;

import dev.llmthrottle.autoconfigure.LimitAmount;
import dev.llmthrottle.autoconfigure.LlmThrottleProperties;
import dev.llmthrottle.autoconfigure.ProviderProperties;
import dev.llmthrottle.autoconfigure.ThrottlePolicyFactory;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.LimitDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.ProviderDescriptor;
import dev.llmthrottle.autoconfigure.events.ThrottleEvent;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.leaks.PermitLeakAllowed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The {@code llmthrottle} write operation: a runtime change of limits, validated like the
 * startup configuration and applied without losing state.
 */
@Timeout(30)
@PermitLeakAllowed("its fixture holds a permit so that limit changes apply with a call in flight")
class LlmThrottleEndpointWriteTests {

	private final EndpointFixture fixture = new EndpointFixture();

	private final LlmThrottleEndpoint endpoint = this.fixture.endpoint(100);

	private Permit inFlight;

	@BeforeEach
	void admitSome() throws Exception {
		this.inFlight = this.fixture.openai.acquire(null, Cost.of(100, 50));
		this.fixture.openai.acquire(null, Cost.of(100, 50)).release(null);
	}

	@Test
	void changesOneLimitAndKeepsTheOthersAndTheState() {
		ProviderDescriptor updated = update("openai", 20L, null, null, false);
		assertThat(this.fixture.openai.policy().limits()).containsExactly(Limit.perMinute(Dimension.REQUESTS, 20),
				Limit.perMinute(Dimension.TOKENS, 1000));
		assertThat(this.fixture.openai.policy().maxConcurrent()).isEqualTo(2);
		assertThat(this.fixture.openai.policy().maxWait()).isEqualTo(Duration.ofSeconds(10));
		assertThat(updated.limits()).containsExactly(
				new LimitDescriptor("requests", "1m", 20L, 20L, null, 2L, 18L, 18L, "paced"),
				new LimitDescriptor("tokens", "1m", 1000L, 1000L, null, 300L, 700L, 700L, "paced"));
		assertThat(updated.inFlight()).isEqualTo(1);
		assertThat(this.inFlight.release(null)).isTrue();
		List<ThrottleEvent> events = this.fixture.recorder.events("openai");
		assertThat(events).singleElement().satisfies((event) -> {
			assertThat(event.type()).isEqualTo("limits-changed");
			assertThat(event.details()).containsEntry("limits", "20 requests per 1m, 1000 tokens per 1m")
				.containsEntry("maxConcurrent", 2);
		});
	}

	@Test
	void addsLimitsGivenAsText() {
		ProviderDescriptor updated = update("openai", null, null, "5 requests per 1s; 100_000 tokens/1d", false);
		assertThat(updated.limits())
			.extracting(LimitDescriptor::dimension, LimitDescriptor::period, LimitDescriptor::configured)
			.containsExactly(tuple("requests", "1m", 10L), tuple("tokens", "1m", 1000L), tuple("requests", "1s", 5L),
					tuple("tokens", "1d", 100_000L));
	}

	@Test
	void replacesEveryLimitWhenAsked() {
		ProviderDescriptor updated = this.endpoint.updateLimits("openai", null, 500L, null, null, null, null, null, 4,
				true);
		assertThat(this.fixture.openai.policy().limits()).containsExactly(Limit.perMinute(Dimension.TOKENS, 500));
		assertThat(updated.maxConcurrent()).isEqualTo(4);
		assertThat(updated.limits()).singleElement()
			.isEqualTo(new LimitDescriptor("tokens", "1m", 500L, 500L, null, 300L, 200L, 200L, "paced"));
	}

	@Test
	void refusesWhatStartupRefusesWithTheSameMessage() {
		LlmThrottleProperties startup = new LlmThrottleProperties();
		ProviderProperties openai = new ProviderProperties();
		openai.setRequestsPerMinute(LimitAmount.valueOf(0L));
		startup.getProviders().put("openai", openai);
		String startupMessage = new ThrottlePolicyFactory().validate(startup).get(0).toString();
		assertThat(startupMessage)
			.isEqualTo("llm.throttle.providers.openai.requests-per-minute must be at least 1 but was 0");
		assertRefused(() -> update("openai", 0L, null, null, false), startupMessage);
	}

	@Test
	void refusesBadLimitText() {
		assertRefused(() -> update("openai", null, null, "ten requests per 1s", false),
				"llm.throttle.providers.openai.limits[0] must look like '10 requests per 1s' or '100000 tokens/1m' "
						+ "but was 'ten requests per 1s'");
		assertRefused(() -> update("openai", null, null, "1 requests per 1s, 5 bananas per 1s", false),
				"llm.throttle.providers.openai.limits[1].dimension must be one of requests, tokens, input-tokens or "
						+ "output-tokens but was 'bananas'");
		assertRefused(() -> update("openai", null, null, "5 requests per 0s", false),
				"llm.throttle.providers.openai.limits[0].period must be positive but was 0");
		assertRefused(() -> update("openai", null, null, "5 requests per soon", false),
				"llm.throttle.providers.openai.limits[0].period must be a duration such as 1s, 1m or PT1M but was 'soon'");
		assertRefused(() -> update("openai", null, null, "5 requests per 400d", false),
				"llm.throttle.providers.openai.limits[0].period must be at most 366d but was 400d");
	}

	@Test
	void refusesDuplicatesAndListsEveryProblem() {
		assertRefused(() -> update("openai", 20L, null, "30 requests per 1m", false),
				"duplicates llm.throttle.providers.openai.requests-per-minute");
		assertRefused(() -> this.endpoint.updateLimits("openai", -1L, null, null, null, null, 0L, null, 0, null),
				"3 problems", "requests-per-minute must be at least 1 but was -1",
				"tokens-per-day must be at least 1 but was 0", "max-concurrent must be at least 1 but was 0");
	}

	@Test
	void checksTokenLimitsAgainstTheDefaultOutputReservation() {
		assertRefused(
				() -> this.endpoint.updateLimits("anthropic", null, 50L, null, null, null, null, null, null, null),
				"llm.throttle.providers.anthropic.tokens-per-minute must be at least default-output-tokens (100) but "
						+ "was 50");
	}

	@Test
	void refusesAnEmptyChangeAnUnknownProviderAndALimitlessProvider() {
		assertRefused(() -> update("openai", null, null, null, false), "was not changed");
		assertRefused(() -> update("openai", null, null, " , ", false), "was not changed");
		assertRefused(() -> update("nope", 1L, null, null, false), "No LLM provider named 'nope'");
		assertRefused(
				() -> this.endpoint.updateLimits("anthropic", null, null, null, null, null, null, null, null, true),
				"llm.throttle.providers.anthropic has no limit");
	}

	private ProviderDescriptor update(String provider, Long requestsPerMinute, Long tokensPerMinute, String limits,
			boolean replace) {
		return this.endpoint.updateLimits(provider, requestsPerMinute, tokensPerMinute, null, null, null, null, limits,
				null, replace);
	}

	private void assertRefused(Runnable change, String... messages) {
		ThrottlePolicy openai = this.fixture.openai.policy();
		ThrottlePolicy anthropic = this.fixture.anthropic.policy();
		assertThatExceptionOfType(InvalidEndpointRequestException.class).isThrownBy(change::run)
			.satisfies((ex) -> assertThat(ex.getReason()).contains(messages));
		assertThat(this.fixture.openai.policy()).isSameAs(openai);
		assertThat(this.fixture.anthropic.policy()).isSameAs(anthropic);
		assertThat(this.fixture.recorder.events()).isEmpty();
	}

}
