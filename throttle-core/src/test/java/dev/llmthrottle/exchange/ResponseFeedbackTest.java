package dev.llmthrottle.exchange;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.ProtocolHeaders;
import dev.llmthrottle.leaks.PermitLeakAllowed;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseFeedbackTest {

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final ResponseFeedback feedback = new ResponseFeedback(
			Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC), new Random(7), ThrottleListener.NONE);

	private final LlmProvider openai = ExchangeTestSupport.provider("openai", Dialect.OPENAI, "https://api.openai.com",
			this.time, RetryPolicy.DEFAULT, Limit.perMinute(Dimension.REQUESTS, 500),
			Limit.perMinute(Dimension.TOKENS, 200_000));

	private final Partition partition = this.openai.throttler().defaultPartition();

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void a429WithHintCoolsTheWholePartitionDown() {
		CallVerdict verdict = this.feedback.onError(this.openai, this.partition, 429,
				ProtocolHeaders.of("retry-after-ms", "2000", "retry-after", "2"),
				"{\"error\":{\"type\":\"requests\",\"code\":\"rate_limit_exceeded\",\"message\":\"Rate limit reached\"}}",
				1, Duration.ZERO);
		assertThat(verdict).isEqualTo(new CallVerdict.Retry(Duration.ofSeconds(2), true));
		assertThat(this.partition.cooldownRemaining()).isEqualTo(Duration.ofSeconds(2));
		assertThat(this.partition.tryAcquire(Cost.oneRequest())).isNull();
		this.time.advance(Duration.ofSeconds(2));
		assertThat(this.partition.tryAcquire(Cost.oneRequest())).isNotNull();
	}

	@Test
	void a429WithoutHintBacksOffWithinTheCeiling() {
		CallVerdict verdict = this.feedback.onError(this.openai, this.partition, 429, ProtocolHeaders.empty(), "", 2,
				Duration.ZERO);
		assertThat(verdict).isInstanceOf(CallVerdict.Retry.class);
		Duration delay = ((CallVerdict.Retry) verdict).delay();
		assertThat(delay).isBetween(Duration.ZERO, Duration.ofSeconds(1));
		assertThat(this.partition.cooldownRemaining()).isEqualTo(delay);
	}

	@Test
	void overloadBacksOffThisCallOnly() {
		CallVerdict verdict = this.feedback.onError(this.openai, this.partition, 503, ProtocolHeaders.empty(),
				"{\"error\":{\"message\":\"server_is_overloaded\"}}", 1, Duration.ZERO);
		assertThat(verdict).isInstanceOfSatisfying(CallVerdict.Retry.class,
				(retry) -> assertThat(retry.cooldown()).isFalse());
		assertThat(this.partition.cooldownRemaining()).isZero();
	}

	@Test
	void insufficientQuotaFailsAtOnceWithTheProvidersMessage() {
		CallVerdict verdict = this.feedback.onError(this.openai, this.partition, 429, ProtocolHeaders.empty(),
				"{\"error\":{\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\",\"message\":\"You exceeded your current quota (key sk-abcdefghijklmnopqrstuvwx)\"}}",
				1, Duration.ZERO);
		assertThat(verdict).isInstanceOfSatisfying(CallVerdict.Fail.class, (fail) -> {
			assertThat(fail.error()).isInstanceOf(LlmProviderException.class)
				.hasMessageContaining("openai")
				.hasMessageContaining("429")
				.hasMessageContaining("exceeded your current quota")
				.hasMessageNotContaining("sk-abcdefghijklmnopqrstuvwx");
		});
	}

	@Test
	void aHintAboveTheCapFailsFast() {
		CallVerdict verdict = this.feedback.onError(this.openai, this.partition, 429,
				ProtocolHeaders.of("retry-after", "86400"), "", 1, Duration.ZERO);
		assertThat(verdict).isInstanceOfSatisfying(CallVerdict.Fail.class,
				(fail) -> assertThat(fail.error()).isInstanceOf(RetryAfterTooLongException.class)
					.hasMessageContaining("1d"));
	}

	/**
	 * Issue 12: these hints threw ArithmeticException while the exception message was
	 * built.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "retry-after=99999999999", "retry-after=Fri, 31 Dec 9999 23:59:59 GMT",
			"retry-after-ms=99999999999999" })
	void anAbsurdHintFailsWithTheDocumentedException(String header) {
		String[] parts = header.split("=", 2);
		CallVerdict verdict = this.feedback.onError(this.openai, this.partition, 429,
				ProtocolHeaders.of(parts[0], parts[1]), "", 1, Duration.ZERO);
		assertThat(verdict).isInstanceOfSatisfying(CallVerdict.Fail.class,
				(fail) -> assertThat(fail.error()).isInstanceOf(RetryAfterTooLongException.class)
					.hasMessageContaining("openai"));
	}

	@Test
	void lastAttemptGivesUpButStillCoolsDown() {
		CallVerdict verdict = this.feedback.onError(this.openai, this.partition, 429,
				ProtocolHeaders.of("retry-after", "3"), "", 3, Duration.ZERO);
		assertThat(verdict).isInstanceOf(CallVerdict.GiveUp.class);
		assertThat(this.partition.cooldownRemaining()).isEqualTo(Duration.ofSeconds(3));
	}

	@Test
	void deadlineStopsRetries() {
		LlmProvider bounded = ExchangeTestSupport.provider("bounded", Dialect.OPENAI, "https://x.example", this.time,
				new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(60),
						Duration.ofSeconds(10)));
		CallVerdict verdict = this.feedback.onError(bounded, bounded.throttler().defaultPartition(), 429,
				ProtocolHeaders.of("retry-after", "5"), "", 1, Duration.ofSeconds(6));
		assertThat(verdict).isInstanceOf(CallVerdict.GiveUp.class);
	}

	@Test
	void headersShrinkWhatWeBelieveRemains() {
		this.feedback.onSuccess(this.openai, this.partition,
				ProtocolHeaders.of("x-ratelimit-limit-requests", "500", "x-ratelimit-remaining-requests", "100",
						"x-ratelimit-reset-requests", "30s", "x-ratelimit-limit-tokens", "200000",
						"x-ratelimit-remaining-tokens", "199000", "x-ratelimit-reset-tokens", "300ms"));
		PartitionSnapshot snapshot = this.partition.snapshot();
		// 400 taken by others until the reset, and their share (0.8, plus the 2% margin)
		// reserved ahead
		assertThat(snapshot.limits().get(0).available()).isEqualTo(90);
		assertThat(snapshot.limits().get(0).neighbourShare()).isEqualTo(0.82);
		assertThat(snapshot.limits().get(1).available()).as("within 2%: not worth holding back").isEqualTo(200_000);
		assertThat(snapshot.limits().get(1).neighbourShare()).isZero();
		this.time.advance(Duration.ofSeconds(30));
		assertThat(this.partition.snapshot().limits().get(0).available()).as("after the reset, the share alone")
			.isEqualTo(90);
		// no report for two periods: the share has lapsed
		this.time.advance(Duration.ofSeconds(91));
		assertThat(this.partition.snapshot().limits().get(0).available()).isEqualTo(500);
	}

	@Test
	void lowerReportedLimitsAreAdoptedAndOverloadLearnsNothing() {
		this.feedback.onSuccess(this.openai, this.partition, ProtocolHeaders.of("x-ratelimit-limit-requests", "300",
				"x-ratelimit-remaining-requests", "300", "x-ratelimit-reset-requests", "0s"));
		assertThat(this.partition.snapshot().limits().get(0).limit().amount()).isEqualTo(300);
		this.feedback.onSuccess(this.openai, this.partition, ProtocolHeaders.of("x-ratelimit-limit-requests", "900",
				"x-ratelimit-remaining-requests", "900", "x-ratelimit-reset-requests", "0s"));
		assertThat(this.partition.snapshot().limits().get(0).limit().amount()).as("never above configured")
			.isEqualTo(500);
		this.feedback.onError(this.openai, this.partition, 503, ProtocolHeaders.of("x-ratelimit-limit-requests", "10"),
				"overloaded", 1, Duration.ZERO);
		assertThat(this.partition.snapshot().limits().get(0).limit().amount()).isEqualTo(500);
	}

	@Test
	void malformedHeadersChangeNothing() {
		this.feedback.onSuccess(this.openai, this.partition,
				ProtocolHeaders.of("x-ratelimit-limit-requests", "-1", "x-ratelimit-remaining-requests", "-1",
						"x-ratelimit-reset-requests", "soon", "x-ratelimit-remaining-tokens", "NaN"));
		PartitionSnapshot snapshot = this.partition.snapshot();
		assertThat(snapshot.limits().get(0).available()).isEqualTo(500);
		assertThat(snapshot.limits().get(0).limit().amount()).isEqualTo(500);
		assertThat(snapshot.limits().get(1).available()).isEqualTo(200_000);
	}

}
