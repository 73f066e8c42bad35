package dev.llmthrottle.exchange;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.core.rate.GuardMargin;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.ProtocolHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard learned from refusals our books cannot explain (issue 14): a 429 while every
 * limit had room widens the partition's guard, which slows its pacing and shows in its
 * snapshot; a 429 our books explain (a neighbour reported in the headers) does not; the
 * guard decays back to 1% when refusals stop.
 */
class LearnedGuardFeedbackTest {

	private static final String RATE_LIMITED = "{\"error\":{\"type\":\"requests\",\"code\":\"rate_limit_exceeded\","
			+ "\"message\":\"Rate limit reached\"}}";

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final ResponseFeedback feedback = new ResponseFeedback(
			Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC), new Random(7), ThrottleListener.NONE);

	private final LlmProvider provider = new LlmProvider("sim", Dialect.OPENAI,
			List.of(URI.create("https://sim.example")), RetryPolicy.DEFAULT, 100,
			new ProviderThrottler(ThrottlePolicy.of("sim", 0, Limit.perMinute(Dimension.REQUESTS, 240)), this.time,
					PartitionKeys.withRandomSecret(), ThrottleListener.NONE));

	private final Partition partition = this.provider.throttler().defaultPartition();

	@Test
	void aRefusalWithRoomWidensTheGuardAndSlowsThePacing() {
		assertThat(pacingInterval()).isEqualTo(Duration.ofNanos(252_500_000L));
		refuse(ProtocolHeaders.of("retry-after-ms", "100"));
		assertThat(this.partition.snapshot().guardPpm()).isEqualTo(2 * GuardMargin.BASE_PPM);
		// 60 s x 1.02 / 240
		assertThat(pacingInterval()).isEqualTo(Duration.ofMillis(255));
	}

	@Test
	void aRefusalExplainedByANeighbourLeavesTheGuard() {
		// the provider reported 100 remaining of 240 while we spent nothing: someone else
		// spends from the key
		this.partition.reportRemaining(Dimension.REQUESTS, 100, Duration.ofSeconds(30));
		refuse(ProtocolHeaders.of("retry-after-ms", "100"));
		assertThat(this.partition.snapshot().guardPpm()).isEqualTo(GuardMargin.BASE_PPM);
	}

	@Test
	void theGuardDecaysBackWhenRefusalsStop() {
		refuse(ProtocolHeaders.of("retry-after-ms", "100"));
		this.time.advance(Duration.ofSeconds(2));
		refuse(ProtocolHeaders.of("retry-after-ms", "100"));
		assertThat(this.partition.snapshot().guardPpm()).isEqualTo(3 * GuardMargin.BASE_PPM);
		this.time.advance(Duration.ofNanos(GuardMargin.HOLD_NANOS + 10 * GuardMargin.HALF_LIFE_NANOS));
		assertThat(this.partition.snapshot().guardPpm()).isEqualTo(GuardMargin.BASE_PPM);
		assertThat(pacingInterval()).isEqualTo(Duration.ofNanos(252_500_000L));
	}

	private void refuse(ProtocolHeaders headers) {
		this.time.advance(Duration.ofSeconds(1));
		Permit permit = this.partition.tryAcquire(Cost.oneRequest());
		assertThat(permit).isNotNull();
		this.feedback.onError(this.provider, this.partition, 429, headers, RATE_LIMITED, 1, Duration.ZERO);
		permit.release(null);
	}

	/** How long after one admission the next one may go, on an idle partition. */
	private Duration pacingInterval() {
		this.time.advance(Duration.ofSeconds(2));
		Permit first = this.partition.tryAcquire(Cost.oneRequest());
		assertThat(first).isNotNull();
		first.release(null);
		long waited = 0;
		while (true) {
			Permit next = this.partition.tryAcquire(Cost.oneRequest());
			if (next != null) {
				next.release(null);
				return Duration.ofNanos(waited);
			}
			// steps of 0.5 ms: every interval here is a multiple of it
			this.time.advance(Duration.ofNanos(500_000));
			waited += 500_000;
			assertThat(waited).isLessThan(Duration.ofSeconds(5).toNanos());
		}
	}

}
