package dev.llmthrottle.exchange;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.ProtocolHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ResponseFeedback} feeds an {@code auto} request limit's learning from refusals:
 * successes without rate-limit headers raise it, a requests 429 lowers it (and still
 * cools the partition down for its hint), a tokens 429 leaves it, and the first response
 * that states the limit in headers ends the learning for good.
 */
class RefusalLearningFeedbackTest {

	private static final Limit PROVISIONAL = Limit.perMinute(Dimension.REQUESTS, 60);

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final ResponseFeedback feedback = new ResponseFeedback(
			Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC), new Random(7), ThrottleListener.NONE);

	private final LlmProvider provider = new LlmProvider("gateway", Dialect.OPENAI,
			List.of(URI.create("http://vllm.local")), RetryPolicy.DEFAULT, 100,
			new ProviderThrottler(
					new ThrottlePolicy("gateway", List.of(PROVISIONAL), 0, Duration.ofMinutes(1), 100, Duration.ZERO,
							10, List.of(PROVISIONAL)),
					this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE));

	private final Partition partition = this.provider.throttler().defaultPartition();

	private static final ProtocolHeaders NO_RATE_HEADERS = ProtocolHeaders.of("content-type", "application/json");

	private long amount() {
		return this.partition.snapshot().limits().get(0).limit().amount();
	}

	@Test
	void successesWithoutHeadersRaiseTheAutoLimitAndARequests429LowersIt() {
		for (int i = 0; i < 10; i++) {
			this.time.advance(Duration.ofSeconds(1));
			this.feedback.onSuccess(this.provider, this.partition, NO_RATE_HEADERS);
		}
		long raised = amount();
		assertThat(raised).isGreaterThan(60);
		this.feedback.onError(this.provider, this.partition, 429, ProtocolHeaders.of("retry-after", "2"),
				"{\"error\":{\"type\":\"requests\",\"code\":\"rate_limit_exceeded\","
						+ "\"message\":\"Rate limit reached for requests\"}}",
				1, Duration.ZERO);
		assertThat(amount()).isLessThan(raised);
		assertThat(this.partition.cooldownRemaining()).isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void aTokens429LeavesTheRequestsLimit() {
		this.feedback.onError(this.provider, this.partition, 429, ProtocolHeaders.of("retry-after", "1"),
				"{\"error\":{\"type\":\"tokens\",\"code\":\"rate_limit_exceeded\","
						+ "\"message\":\"Rate limit reached on tokens per min (TPM)\"}}",
				1, Duration.ZERO);
		assertThat(amount()).isEqualTo(60);
	}

	@Test
	void aStatedLimitEndsTheLearning() {
		this.feedback.onSuccess(this.provider, this.partition, ProtocolHeaders.of("x-ratelimit-limit-requests", "500",
				"x-ratelimit-remaining-requests", "499", "x-ratelimit-reset-requests", "120ms"));
		assertThat(amount()).isEqualTo(500);
		for (int i = 0; i < 10; i++) {
			this.time.advance(Duration.ofSeconds(1));
			this.feedback.onSuccess(this.provider, this.partition, NO_RATE_HEADERS);
		}
		this.feedback.onError(this.provider, this.partition, 429, ProtocolHeaders.of("retry-after", "1"), "", 1,
				Duration.ZERO);
		assertThat(amount()).isEqualTo(500);
	}

}
