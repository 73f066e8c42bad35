package dev.llmthrottle.autoconfigure.events;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.QueueFullException;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

@Timeout(30)
class ThrottleEventRecorderTests {

	private static final String CANARY = "sk-test-CANARY-1234567890";

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final VirtualClock clock = new VirtualClock(this.time);

	private final ThrottleEventRecorder recorder = new ThrottleEventRecorder(this.clock, 5);

	@Test
	void recordsEachKindWithTimestampTypeAndDetailsInOrder() {
		this.recorder.rateLimited("openai", "k1", "INPUT_TOKENS", Duration.ofMillis(6000));
		this.time.advance(Duration.ofSeconds(1));
		this.recorder.retried("openai", "k1", 2, Duration.ofMillis(6000));
		this.time.advance(Duration.ofSeconds(1));
		this.recorder.limitLearned("openai", "k1", Limit.perMinute(Dimension.TOKENS, 30_000));
		this.recorder.quotaExhausted("openai", "k2", "insufficient_quota");
		this.recorder.backendDegraded("openai", "redis unreachable");
		List<ThrottleEvent> events = this.recorder.events("openai");
		assertThat(events).extracting(ThrottleEvent::type)
			.containsExactly("rate-limited", "retried", "limit-learned", "quota-exhausted", "backend-degraded");
		assertThat(events).extracting(ThrottleEvent::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
		assertThat(events).extracting(ThrottleEvent::timestamp)
			.containsExactly(VirtualClock.ORIGIN, VirtualClock.ORIGIN.plusSeconds(1),
					VirtualClock.ORIGIN.plusSeconds(2), VirtualClock.ORIGIN.plusSeconds(2),
					VirtualClock.ORIGIN.plusSeconds(2));
		assertThat(events.get(0).partition()).isEqualTo("k1");
		assertThat(events.get(0).details()).containsExactly(entry("limitType", "input-tokens"), entry("hint", "6s"));
		assertThat(events.get(1).details()).containsExactly(entry("attempt", 2), entry("backoff", "6s"));
		assertThat(events.get(2).details()).containsExactly(entry("dimension", "tokens"), entry("amount", 30_000L),
				entry("period", "1m"));
		assertThat(events.get(3).details()).containsExactly(entry("reason", "insufficient_quota"));
		assertThat(events.get(4).partition()).isNull();
		assertThat(events.get(4).details()).containsExactly(entry("reason", "redis unreachable"));
	}

	@Test
	void keepsOnlyTheMostRecentEventsPerProvider() {
		for (int i = 1; i <= 8; i++) {
			this.recorder.retried("openai", "default", i, Duration.ofSeconds(i));
		}
		this.recorder.retried("anthropic", "default", 1, Duration.ofSeconds(1));
		assertThat(this.recorder.events("openai")).hasSize(5)
			.extracting((event) -> event.details().get("attempt"))
			.containsExactly(4, 5, 6, 7, 8);
		assertThat(this.recorder.events("anthropic")).hasSize(1);
		assertThat(this.recorder.events()).containsOnlyKeys("anthropic", "openai");
		assertThat(this.recorder.events("unknown")).isEmpty();
		this.recorder.removeProvider("openai");
		assertThat(this.recorder.events()).containsOnlyKeys("anthropic");
	}

	@Test
	void liftsACooldownAtItsEndBeforeAnyLaterEvent() {
		this.recorder.cooldown("openai", "k1", Duration.ofSeconds(10), "HTTP 429 (tokens), retry after 10000 ms");
		this.time.advance(Duration.ofSeconds(4));
		this.recorder.cooldown("openai", "k1", Duration.ofSeconds(20), "HTTP 429 (tokens), retry after 20000 ms");
		this.time.advance(Duration.ofSeconds(19));
		assertThat(this.recorder.events("openai")).extracting(ThrottleEvent::type)
			.containsExactly("cooldown-started", "cooldown-started");
		this.time.advance(Duration.ofSeconds(2));
		this.recorder.retried("openai", "k1", 2, Duration.ZERO);
		List<ThrottleEvent> events = this.recorder.events("openai");
		assertThat(events).extracting(ThrottleEvent::type)
			.containsExactly("cooldown-started", "cooldown-started", "cooldown-lifted", "retried");
		assertThat(events.get(3).details()).containsEntry("backoff", "0s");
		assertThat(events.get(1).details()).containsEntry("duration", "20s");
		ThrottleEvent lifted = events.get(2);
		assertThat(lifted.timestamp()).isEqualTo(VirtualClock.ORIGIN.plusSeconds(24));
		assertThat(lifted.partition()).isEqualTo("k1");
		assertThat(lifted.details()).containsEntry("reason", "HTTP 429 (tokens), retry after 20000 ms");
		assertThat(events.get(3).timestamp()).isEqualTo(VirtualClock.ORIGIN.plusSeconds(25));
		assertThat(events).isSortedAccordingTo((a, b) -> a.timestamp().compareTo(b.timestamp()));
		assertThat(events).extracting(ThrottleEvent::sequence).isSorted();
	}

	@Test
	void liftsDueCooldownsWhenRead() {
		this.recorder.cooldown("openai", "k2", Duration.ofSeconds(5), null);
		this.recorder.cooldown("openai", "k1", Duration.ofSeconds(3), null);
		this.time.advance(Duration.ofSeconds(6));
		List<ThrottleEvent> events = this.recorder.events("openai");
		assertThat(events).extracting(ThrottleEvent::type, ThrottleEvent::partition)
			.containsExactly(tuple("cooldown-started", "k2"), tuple("cooldown-started", "k1"),
					tuple("cooldown-lifted", "k1"), tuple("cooldown-lifted", "k2"));
		assertThat(this.recorder.events("openai")).hasSize(4);
	}

	@Test
	void redactsFreeText() {
		this.recorder.quotaExhausted("openai", "k1", "Incorrect API key provided: " + CANARY);
		this.recorder.cooldown("openai", "k1", Duration.ofSeconds(1), "echo Bearer " + CANARY);
		this.recorder.backendDegraded("openai", "auth failed for " + CANARY);
		assertThat(this.recorder.events("openai").toString()).doesNotContain("CANARY").contains("[REDACTED]");
	}

	@Test
	void recordsWhatTheEngineReports() throws Exception {
		ThrottlePolicy policy = ThrottlePolicy.of("openai", 1, Limit.perMinute(Dimension.REQUESTS, 100))
			.withBurst(Duration.ofMinutes(1))
			.withMaxQueue(1);
		ProviderThrottler throttler = new ProviderThrottler(policy, this.time, PartitionKeys.withRandomSecret(),
				this.recorder);
		String key = throttler.partition(CANARY).key();
		Permit held = throttler.acquire(CANARY, Cost.oneRequest());
		CompletableFuture<Permit> waiting = throttler.acquireAsync(CANARY, Cost.oneRequest());
		assertThatExceptionOfType(QueueFullException.class)
			.isThrownBy(() -> throttler.acquire(CANARY, Cost.oneRequest()));
		throttler.partition(CANARY).coolDown(Duration.ofSeconds(2), "HTTP 429 (requests), retry after 2000 ms");
		held.release(null);
		this.time.advance(Duration.ofSeconds(3));
		waiting.join().release(null);
		List<ThrottleEvent> events = this.recorder.events("openai");
		assertThat(events).extracting(ThrottleEvent::type)
			.containsExactly("rejected", "cooldown-started", "cooldown-lifted");
		assertThat(events).extracting(ThrottleEvent::partition).containsOnly(key);
		assertThat(events.get(0).details()).containsEntry("reason", "queue-full");
		assertThat((String) events.get(0).details().get("message")).contains("max-queue");
		assertThat(events.get(2).timestamp()).isEqualTo(VirtualClock.ORIGIN.plusSeconds(2));
		assertThat(events.toString()).doesNotContain("CANARY");
	}

	@Test
	void recordsOperatorChanges() {
		this.recorder.limitsChanged("openai", List.of(Limit.perMinute(Dimension.REQUESTS, 20),
				Limit.of(Dimension.TOKENS, 1000, Duration.ofSeconds(10))), 4);
		assertThat(this.recorder.events("openai")).singleElement().satisfies((event) -> {
			assertThat(event.type()).isEqualTo("limits-changed");
			assertThat(event.partition()).isNull();
			assertThat(event.details())
				.isEqualTo(Map.of("limits", "20 requests per 1m, 1000 tokens per 10s", "maxConcurrent", 4));
		});
	}

	@Test
	void refusesANonPositiveCapacity() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> new ThrottleEventRecorder(this.clock, 0))
			.withMessageContaining("capacity");
	}

}
