package dev.llmthrottle.exchange;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

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
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.ProtocolHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 12: a refused Gemini per-day quota blocks the partition until midnight Pacific
 * and fails callers at once with the reset instant, instead of sending each call to be
 * refused.
 */
class DailyQuotaFeedbackTest {

	private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

	private static final Instant RESET = Instant.parse("2026-03-02T08:00:00Z");

	private static final String PER_DAY = "GenerateRequestsPerDayPerProjectPerModel-FreeTier";

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final ResponseFeedback feedback = new ResponseFeedback(Clock.fixed(NOW, ZoneOffset.UTC), new Random(7),
			ThrottleListener.NONE);

	private final LlmProvider gemini = gemini(1, Duration.ofMinutes(1));

	private final Partition partition = this.gemini.throttler().defaultPartition();

	private LlmProvider gemini(int maxConcurrent, Duration maxWait) {
		ThrottlePolicy policy = new ThrottlePolicy("gemini",
				List.of(Limit.of(Dimension.REQUESTS, 1_000, Duration.ofMinutes(1))), maxConcurrent, maxWait, 100,
				Duration.ofSeconds(1), 100);
		ProviderThrottler throttler = new ProviderThrottler(policy, this.time, PartitionKeys.withRandomSecret(),
				ThrottleListener.NONE);
		return new LlmProvider("gemini", Dialect.GEMINI,
				List.of(URI.create("https://generativelanguage.googleapis.com")), RetryPolicy.DEFAULT, 100, throttler);
	}

	private CallVerdict refuse(LlmProvider provider, Partition partition) {
		return this.feedback.onError(provider, partition, 429, ProtocolHeaders.empty(), gemini429(PER_DAY), 1,
				Duration.ZERO);
	}

	@Test
	void theRefusedCallFailsWithTheResetInstant() {
		Permit permit = this.partition.tryAcquire(Cost.oneRequest());
		CallVerdict verdict = refuse(this.gemini, this.partition);
		permit.release(Cost.oneRequest());
		assertThat(verdict).isInstanceOfSatisfying(CallVerdict.Fail.class,
				(fail) -> assertThat(fail.error()).isInstanceOfSatisfying(DailyQuotaExhaustedException.class, (ex) -> {
					assertThat(ex.provider()).isEqualTo("gemini");
					assertThat(ex.limit()).isEqualTo(PER_DAY);
					assertThat(ex.resetAt()).isEqualTo(RESET);
					assertThat(ex).hasMessageContaining("gemini")
						.hasMessageContaining(PER_DAY)
						.hasMessageContaining("2026-03-02T08:00:00Z");
				}));
		assertThat(this.partition.cooldownRemaining()).isEqualTo(Duration.between(NOW, RESET));
		assertThat(this.partition.snapshot().cooldownReason()).contains(PER_DAY).contains("2026-03-02T08:00:00Z");
	}

	@Test
	void laterCallersFailAtOnceWithTheSameTypedException() {
		refuse(this.gemini, this.partition);
		assertThat(this.partition.tryAcquire(Cost.oneRequest())).isNull();
		CompletableFuture<Permit> later = this.partition.acquireAsync(Cost.oneRequest());
		assertThat(later).isCompletedExceptionally();
		assertThatThrownBy(later::get).isInstanceOf(ExecutionException.class)
			.cause()
			.isInstanceOfSatisfying(DailyQuotaExhaustedException.class,
					(ex) -> assertThat(ex.resetAt()).isEqualTo(RESET));
		assertThatThrownBy(() -> this.partition.acquire(Cost.oneRequest()))
			.isInstanceOf(DailyQuotaExhaustedException.class);
		assertThat(this.partition.snapshot().queued()).isZero();
		assertThat(this.partition.snapshot().inFlight()).isZero();
	}

	@Test
	void callersAlreadyQueuedFailAtOnceToo() {
		Permit held = this.partition.tryAcquire(Cost.oneRequest());
		CompletableFuture<Permit> queued = this.partition.acquireAsync(Cost.oneRequest());
		assertThat(queued).isNotDone();
		refuse(this.gemini, this.partition);
		assertThat(queued).isCompletedExceptionally();
		assertThatThrownBy(queued::get).cause().isInstanceOf(DailyQuotaExhaustedException.class);
		held.release(Cost.oneRequest());
		assertThat(this.partition.snapshot().queued()).isZero();
		assertThat(this.partition.snapshot().inFlight()).isZero();
	}

	@Test
	void theBlockEndsAtTheReset() {
		refuse(this.gemini, this.partition);
		this.time.advance(Duration.between(NOW, RESET));
		Permit permit = this.partition.tryAcquire(Cost.oneRequest());
		assertThat(permit).isNotNull();
		permit.release(Cost.oneRequest());
	}

	@Test
	void callersWhoMayWaitPastTheResetWaitForIt() {
		LlmProvider patient = gemini(1, Duration.ofDays(1));
		Partition patientPartition = patient.throttler().defaultPartition();
		refuse(patient, patientPartition);
		CompletableFuture<Permit> waiting = patientPartition.acquireAsync(Cost.oneRequest());
		assertThat(waiting).isNotDone();
		this.time.advance(Duration.between(NOW, RESET));
		assertThat(waiting).isCompleted();
		waiting.join().release(Cost.oneRequest());
	}

	@Test
	void otherPartitionsAreNotBlocked() {
		refuse(this.gemini, this.partition);
		Partition other = this.gemini.throttler().partition("another-key");
		Permit permit = other.tryAcquire(Cost.oneRequest());
		assertThat(permit).isNotNull();
		permit.release(Cost.oneRequest());
	}

	@Test
	void aPerMinuteRefusalStillWaitsForItsHint() {
		CallVerdict verdict = this.feedback.onError(this.gemini, this.partition, 429, ProtocolHeaders.empty(),
				gemini429("GenerateRequestsPerMinutePerProjectPerModel-FreeTier"), 1, Duration.ZERO);
		assertThat(verdict).isInstanceOf(CallVerdict.Retry.class);
		CompletableFuture<Permit> later = this.partition.acquireAsync(Cost.oneRequest());
		assertThat(later).isNotDone();
		this.time.advance(Duration.ofSeconds(37));
		later.join().release(Cost.oneRequest());
	}

	private static String gemini429(String quotaId) {
		return "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota.\",\"status\":"
				+ "\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\","
				+ "\"violations\":[{\"quotaId\":\"" + quotaId + "\"}]},{\"@type\":"
				+ "\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"37s\"}]}}";
	}

}
