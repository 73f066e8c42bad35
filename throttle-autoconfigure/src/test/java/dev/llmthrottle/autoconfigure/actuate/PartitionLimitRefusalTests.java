package dev.llmthrottle.autoconfigure.actuate;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import dev.llmthrottle.autoconfigure.CompositeThrottleListener;
import dev.llmthrottle.autoconfigure.events.ThrottleEvent;
import dev.llmthrottle.autoconfigure.events.ThrottleEventRecorder;
import dev.llmthrottle.autoconfigure.events.VirtualClock;
import dev.llmthrottle.autoconfigure.metrics.LlmThrottleMeterBinder;
import dev.llmthrottle.autoconfigure.metrics.LlmThrottleMetrics;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.PartitionLimitException;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 11, defect 10: a call refused because {@code max-partitions} partitions are all
 * in use is counted as a metric, recorded as an event and counted by the actuator, like
 * every other refusal.
 */
class PartitionLimitRefusalTests {

	private static final String CANARY = "sk-test-CANARY-1234567890";

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final VirtualClock clock = new VirtualClock(this.time);

	private final ThrottleStatistics statistics = new ThrottleStatistics(this.clock);

	private final ThrottleEventRecorder recorder = new ThrottleEventRecorder(this.clock);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void refusalsAtMaxPartitionsAreCountedRecordedAndShown() {
		ProviderThrottler[] throttler = new ProviderThrottler[1];
		LlmThrottleMeterBinder binder = new LlmThrottleMeterBinder(() -> List.of(throttler[0]));
		throttler[0] = new ProviderThrottler(
				ThrottlePolicy.of("openai", 1, Limit.perMinute(Dimension.REQUESTS, 100)).withMaxPartitions(2),
				this.time, PartitionKeys.withRandomSecret(),
				CompositeThrottleListener.of(List.of(binder, this.statistics, this.recorder)));
		binder.bindTo(this.registry);
		Permit held = throttler[0].partition("tenant-a").tryAcquire(Cost.oneRequest());
		for (int i = 0; i < 3; i++) {
			String key = CANARY + i;
			assertThatThrownBy(() -> throttler[0].partition(key)).isInstanceOf(PartitionLimitException.class);
		}
		held.release(null);
		assertThat(this.registry.get(LlmThrottleMetrics.CALLS)
			.tag(LlmThrottleMetrics.PROVIDER, "openai")
			.tag(LlmThrottleMetrics.OUTCOME, "partitions-full")
			.counter()
			.count()).isEqualTo(3);
		assertThat(this.statistics.activity("openai").rejected()).containsEntry("partitions-full", 3L);
		List<ThrottleEvent> events = this.recorder.events("openai");
		assertThat(events).hasSize(3).allSatisfy((event) -> {
			assertThat(event.type()).isEqualTo("rejected");
			assertThat(event.partition()).isNull();
			assertThat(event.details()).containsEntry("reason", "partitions-full");
			assertThat(event.toString()).doesNotContain("CANARY");
		});
		this.time.advance(Duration.ofMinutes(2));
		assertThat(throttler[0].partition("tenant-b")).isNotNull();
		assertThat(this.statistics.activity("openai").rejected()).containsEntry("partitions-full", 3L);
	}

}
