package dev.llmthrottle.autoconfigure.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.CooldownDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.LimitDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.PartitionDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.ProviderDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.ProviderDetailsDescriptor;
import dev.llmthrottle.autoconfigure.events.VirtualClock;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.QueueFullException;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.leaks.PermitLeakAllowed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The {@code llmthrottle} endpoint's read operations against a state built through real
 * admissions on virtual time: two partitions of {@code openai} (the default one with two
 * calls in flight and one waiting, the canary key's with one call in flight and a
 * cooldown from a simulated 429), a rejection and a settled call.
 */
@Timeout(30)
@PermitLeakAllowed("its fixture holds permits and a waiter so that the endpoint has state to show")
class LlmThrottleEndpointTests {

	private final EndpointFixture fixture = new EndpointFixture();

	private final JsonMapper json = JsonMapper.builder().build();

	private CompletableFuture<Permit> waiting;

	private String canaryKey;

	@BeforeEach
	void buildState() throws Exception {
		Permit settled = this.fixture.openai.acquire(null, Cost.of(100, 50));
		this.fixture.openai.acquire(EndpointFixture.CANARY, Cost.of(200, 100));
		settled.release(Cost.of(90, 40));
		this.fixture.openai.acquire(null, Cost.of(10, 10));
		this.fixture.openai.acquire(null, Cost.of(10, 10));
		this.waiting = this.fixture.openai.acquireAsync(null, Cost.of(10, 10));
		assertThatExceptionOfType(QueueFullException.class)
			.isThrownBy(() -> this.fixture.openai.acquire(null, Cost.oneRequest()));
		this.canaryKey = this.fixture.openai.partition(EndpointFixture.CANARY).key();
		// what the HTTP filter does on a 429 with "retry-after: 45"
		this.fixture.listener.rateLimited("openai", this.canaryKey, "tokens", Duration.ofSeconds(45));
		this.fixture.openai.partition(EndpointFixture.CANARY)
			.coolDown(Duration.ofSeconds(45), "HTTP 429 (tokens), retry after 45000 ms");
		this.fixture.time.advance(Duration.ofSeconds(5));
	}

	@Test
	void describesEveryProvider() {
		Map<String, ProviderDescriptor> providers = this.fixture.endpoint(100).providers().providers();
		assertThat(providers).containsOnlyKeys("anthropic", "openai");
		ProviderDescriptor openai = providers.get("openai");
		assertThat(openai.backend()).isEqualTo("memory");
		assertThat(openai.dialect()).isEqualTo("openai");
		assertThat(openai.maxConcurrent()).isEqualTo(2);
		assertThat(openai.maxWait()).isEqualTo("10s");
		assertThat(openai.maxQueue()).isEqualTo(1);
		assertThat(openai.inFlight()).isEqualTo(3);
		assertThat(openai.queued()).isEqualTo(1);
		assertThat(openai.partitions()).isEqualTo(2);
		assertThat(openai.limits()).containsExactly(
				new LimitDescriptor("requests", "1m", 10L, 10L, null, 3L, 7L, 7L, "paced"),
				new LimitDescriptor("tokens", "1m", 1000L, 1000L, null, 170L, 830L, 700L, "paced"));
		assertThat(openai.guard()).isEqualTo("1%");
		assertThat(openai.cooldown()).isEqualTo(new CooldownDescriptor(VirtualClock.ORIGIN.plusSeconds(45), "40s",
				"HTTP 429 (tokens), retry after 45000 ms", 1));
		assertThat(openai.quotaExhausted()).isNull();
		assertThat(openai.backendDegraded()).isNull();
		var counts = openai.counts();
		assertThat(counts.admitted()).isEqualTo(4);
		assertThat(counts.rejected()).containsExactly(Map.entry("queue-full", 1L));
		assertThat(counts.rateLimited()).containsExactly(Map.entry("tokens", 1L));
		assertThat(counts.retries()).isZero();
		assertThat(counts.cooldowns()).isEqualTo(1);
		assertThat(counts.released()).isEqualTo(1);
		assertThat(counts.abandoned()).isZero();
		assertThat(counts.tokens().settledCalls()).isEqualTo(1);
		assertThat(counts.tokens().estimated()).containsExactly(Map.entry("input-tokens", 100L),
				Map.entry("output-tokens", 50L));
		assertThat(counts.tokens().actual()).containsExactly(Map.entry("input-tokens", 90L),
				Map.entry("output-tokens", 40L));
		ProviderDescriptor anthropic = providers.get("anthropic");
		assertThat(anthropic.dialect()).isEqualTo("anthropic");
		assertThat(anthropic.burst()).isEqualTo("0s");
		assertThat(anthropic.inFlight()).isZero();
		assertThat(anthropic.cooldown()).isNull();
		assertThat(anthropic.counts().admitted()).isZero();
	}

	@Test
	void showsLearnedLimitsNextToConfiguredOnes() {
		this.fixture.listener.limitLearned("openai", this.canaryKey, Limit.perMinute(Dimension.TOKENS, 800));
		this.fixture.listener.limitLearned("openai", this.canaryKey,
				Limit.of(Dimension.REQUESTS, 1000, Duration.ofDays(1)));
		List<LimitDescriptor> limits = this.fixture.endpoint(100).providers().providers().get("openai").limits();
		assertThat(limits)
			.extracting(LimitDescriptor::dimension, LimitDescriptor::period, LimitDescriptor::configured,
					LimitDescriptor::learned)
			.containsExactly(tuple("requests", "1m", 10L, null), tuple("tokens", "1m", 1000L, 800L),
					tuple("requests", "1d", null, 1000L));
	}

	@Test
	void describesOneProviderWithItsPartitions() {
		ProviderDetailsDescriptor details = this.fixture.endpoint(100).provider("openai");
		assertThat(details.name()).isEqualTo("openai");
		assertThat(details.provider().inFlight()).isEqualTo(3);
		assertThat(details.partitions().total()).isEqualTo(2);
		assertThat(details.partitions().shown()).isEqualTo(2);
		List<PartitionDescriptor> items = details.partitions().items();
		assertThat(items).extracting(PartitionDescriptor::key).containsExactly("default", this.canaryKey);
		PartitionDescriptor byDefault = items.get(0);
		assertThat(byDefault.inFlight()).isEqualTo(2);
		assertThat(byDefault.queued()).isEqualTo(1);
		assertThat(byDefault.cooldown()).isNull();
		assertThat(byDefault.limits())
			.extracting((limit) -> limit.dimension() + " " + limit.used() + "/" + limit.amount() + " per "
					+ limit.period() + ", " + limit.available() + " left")
			.containsExactly("requests 3/10 per 1m, 7 left", "tokens 170/1000 per 1m, 830 left");
		PartitionDescriptor keyed = items.get(1);
		assertThat(keyed.key()).matches("k[0-9a-f]{24}");
		assertThat(keyed.inFlight()).isEqualTo(1);
		assertThat(keyed.cooldown().remaining()).isEqualTo("40s");
		assertThat(keyed.repeatedReleases()).isZero();
	}

	@Test
	void capsThePartitionsListed() {
		ProviderDetailsDescriptor details = this.fixture.endpoint(1).provider("openai");
		assertThat(details.partitions().total()).isEqualTo(2);
		assertThat(details.partitions().shown()).isEqualTo(1);
		assertThat(details.partitions().items()).extracting(PartitionDescriptor::key).containsExactly("default");
	}

	@Test
	void answersNullForAnUnknownProvider() {
		assertThat(this.fixture.endpoint(100).provider("nope")).isNull();
	}

	@Test
	void reflectsTheStateAsItChanges() {
		this.fixture.time.advance(Duration.ofSeconds(41));
		ProviderDescriptor openai = this.fixture.endpoint(100).providers().providers().get("openai");
		assertThat(openai.cooldown()).isNull();
		assertThat(this.waiting).isCompletedExceptionally();
		assertThat(openai.queued()).isZero();
		assertThat(openai.counts().rejected()).containsOnly(Map.entry("max-wait", 1L), Map.entry("queue-full", 1L));
	}

	@Test
	void serializesToJsonWithoutRawKeys() {
		LlmThrottleEndpoint endpoint = this.fixture.endpoint(100);
		String all = this.json.writeValueAsString(endpoint.providers());
		String one = this.json.writeValueAsString(endpoint.provider("openai"));
		assertThat(all + one).doesNotContain("CANARY").doesNotContain(EndpointFixture.CANARY);
		JsonNode openai = this.json.readTree(all).get("providers").get("openai");
		assertThat(openai.get("inFlight").asInt()).isEqualTo(3);
		assertThat(openai.get("limits").get(1).get("minAvailable").asLong()).isEqualTo(700);
		assertThat(openai.get("cooldown").get("until").asString()).isEqualTo("2026-03-01T12:00:45Z");
		assertThat(openai.get("counts").get("rejected").get("queue-full").asLong()).isEqualTo(1);
		JsonNode partitions = this.json.readTree(one).get("partitions");
		assertThat(partitions.get("items").get(1).get("key").asString()).isEqualTo(this.canaryKey);
	}

	@Test
	void showsTheShareReservedForAnUnseenNeighbour() {
		// we used 170 tokens; the provider reports 500 remaining: 330 are someone else's
		this.fixture.openai.defaultPartition().reportRemaining(Dimension.TOKENS, 500, Duration.ofSeconds(30));
		PartitionDescriptor byDefault = this.fixture.endpoint(100).provider("openai").partitions().items().get(0);
		assertThat(byDefault.limits())
			.extracting(
					(limit) -> limit.dimension() + " " + limit.neighbourShare() + ", " + limit.available() + " left")
			.containsExactly("requests 0%, 7 left", "tokens 35%, 480 left");
	}

	@Test
	void aGuardIsShownAsAPercentageOfThePeriod() {
		assertThat(ProviderDescriber.guard(10_000)).isEqualTo("1%");
		assertThat(ProviderDescriber.guard(25_000)).isEqualTo("2.5%");
		assertThat(ProviderDescriber.guard(100_000)).isEqualTo("10%");
	}

}
