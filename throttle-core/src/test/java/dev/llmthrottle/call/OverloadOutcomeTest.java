package dev.llmthrottle.call;

import java.time.Duration;

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
import dev.llmthrottle.protocol.OverloadAnswers;
import dev.llmthrottle.protocol.ProtocolHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline closes each attempt's lease with the outcome {@code max-concurrent: auto}
 * learns from: an overload answer lowers the limit, a rate-limit refusal teaches nothing,
 * a success is a latency sample measured on the engine's time source.
 */
class OverloadOutcomeTest {

	private static final String OPENAI_CONCURRENCY = "{\"error\":{\"message\":\"Too many concurrent requests for "
			+ "gpt-4o-mini: limit 6. Please try again in 20ms.\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";

	private static final String OPENAI_RATE = "{\"error\":{\"message\":\"Rate limit reached for gpt-4o-mini on "
			+ "requests per min (RPM): Limit 60, Used 60, Requested 1. Please try again in 1s.\",\"type\":\"requests\","
			+ "\"code\":\"rate_limit_exceeded\"}}";

	private static final String ANTHROPIC_OVERLOADED = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
			+ "\"message\":\"Overloaded\"}}";

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final CallShape<Reply> shape = new CallShape<>() {

		@Override
		public Reply reply(Reply result) {
			return result;
		}

		@Override
		public Reply deliver(Reply result, Lease lease) {
			lease.settled(null);
			return result;
		}

		@Override
		public Throwable interrupted(InterruptedException ex, boolean waitingToRetry) {
			return ex;
		}

	};

	private final Partition partition = new ProviderThrottler(
			ThrottlePolicy.of("openai", 0, Limit.of(Dimension.REQUESTS, 20, Duration.ofSeconds(1)))
				.withAutoConcurrent(true),
			this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE)
		.defaultPartition();

	private Step<Reply> attempt(int status, String body) {
		Permit permit = this.partition.tryAcquire(Cost.oneRequest());
		assertThat(permit).isNotNull();
		CallPipeline<Reply> pipeline = new CallPipeline<>(null, this.time, null, this.partition, Cost.oneRequest(),
				null, this.shape);
		pipeline.begin();
		this.time.advance(Duration.ofMillis(400));
		return pipeline.onResult(pipeline.lease(permit), new Reply(status, ProtocolHeaders.empty(), body));
	}

	@Test
	void aConcurrencyRefusalLowersTheLimitAndARateRefusalDoesNot() {
		Permit other = this.partition.tryAcquire(Cost.oneRequest());
		this.time.advance(Duration.ofMillis(100));
		attempt(429, OPENAI_RATE);
		assertThat(this.partition.concurrencyLimit()).isEqualTo(4);
		assertThat(this.partition.observedLatency()).isZero();
		attempt(429, OPENAI_CONCURRENCY);
		// refused with 2 in flight (itself included): the provider took 1
		assertThat(this.partition.concurrencyLimit()).isEqualTo(1);
		other.release(null);
		assertThat(this.partition.snapshot().inFlight()).isZero();
	}

	@Test
	void anOverloadedAnswerLowersTheLimitAndASuccessIsALatencySample() {
		Step<Reply> done = attempt(200, "");
		assertThat(done).isInstanceOf(Step.Done.class);
		assertThat(this.partition.observedLatency()).isEqualTo(Duration.ofMillis(400));
		// 20/s x 0.4 s x 1.25 = 10
		assertThat(this.partition.concurrencyLimit()).isEqualTo(10);
		attempt(529, ANTHROPIC_OVERLOADED);
		assertThat(this.partition.concurrencyLimit()).isEqualTo(1);
	}

	@Test
	void overloadAnswersAreToldFromRateRefusals() {
		assertThat(OverloadAnswers.isOverload(529, "")).isTrue();
		assertThat(OverloadAnswers.isOverload(503, "")).isTrue();
		assertThat(OverloadAnswers.isOverload(429, OPENAI_CONCURRENCY)).isTrue();
		assertThat(OverloadAnswers.isOverload(400, ANTHROPIC_OVERLOADED)).isTrue();
		assertThat(OverloadAnswers.isOverload(429, OPENAI_RATE)).isFalse();
		assertThat(OverloadAnswers.isOverload(429, "")).isFalse();
		assertThat(OverloadAnswers.isOverload(500, "internal error")).isFalse();
		assertThat(OverloadAnswers.isOverload(200, "too many concurrent requests")).isFalse();
		assertThat(OverloadAnswers.isOverload(429, "x".repeat(10_000) + "too many concurrent")).isFalse();
	}

}
