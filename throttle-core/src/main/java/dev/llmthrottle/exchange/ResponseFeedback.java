package dev.llmthrottle.exchange;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.protocol.Classification;
import dev.llmthrottle.protocol.DailyQuota;
import dev.llmthrottle.protocol.DimensionState;
import dev.llmthrottle.protocol.ErrorCategory;
import dev.llmthrottle.protocol.LimitType;
import dev.llmthrottle.protocol.ProtocolHeaders;
import dev.llmthrottle.protocol.RateLimitHeaders;
import dev.llmthrottle.protocol.RateLimitSnapshot;
import dev.llmthrottle.protocol.RetryHint;
import dev.llmthrottle.protocol.ErrorClassifier;

/**
 * Listens to the provider: feeds every response's rate-limit headers into the partition
 * (shrink to what the provider reports remaining, adopt lower reported limits), and turns
 * an error response into a verdict. A 429 pauses the whole partition for the hint (or the
 * backoff when there is none), so every caller of that key waits instead of firing and
 * failing; overload (529, 503) backs off this call only and learns nothing about limits.
 * A refused per-day quota blocks the partition until the quota resets, and fails every
 * caller who would wait past max-wait for it at once with a
 * {@link DailyQuotaExhaustedException}. Shared by the WebClient filter, the RestClient
 * interceptor and the annotation advisor, so that all three behave the same.
 */
public final class ResponseFeedback {

	private final Clock clock;

	private final RandomGenerator random;

	private final ThrottleListener listener;

	public ResponseFeedback(Clock clock, RandomGenerator random, ThrottleListener listener) {
		this.clock = clock;
		this.random = random;
		this.listener = listener;
	}

	/** Feeds a successful response's headers into the partition. */
	public void onSuccess(LlmProvider provider, Partition partition, ProtocolHeaders headers) {
		RateLimitSnapshot snapshot = RateLimitHeaders.parse(headers, provider.dialect(), this.clock.instant());
		apply(provider, partition, snapshot, true, true);
		// after apply: a limit the headers state stops learning it from refusals
		partition.observeSuccess();
	}

	/**
	 * Decides what follows an error response (status 400 or above).
	 * @param attempt the attempt that got this response, 1 for the first
	 * @param elapsed time since the call's first attempt started
	 */
	public CallVerdict onError(LlmProvider provider, Partition partition, int status, ProtocolHeaders headers,
			String body, int attempt, Duration elapsed) {
		RetryPolicy retry = provider.retry();
		Classification verdict = ErrorClassifier.classify(status, headers, body, provider.dialect(),
				this.clock.instant(), retry.maxRetryAfter().toMillis());
		// Limits reported on an error are worth learning (unless it is overload), but
		// "remaining 0, full in a
		// minute" on a 429 describes the moment of refusal: the cooldown from the hint
		// covers it, and holding the
		// whole budget back until the full reset would stall every caller.
		apply(provider, partition, verdict.rateLimits(), !verdict.overload(), false);
		if (verdict.dailyQuota().isPresent()) {
			return parkUntilReset(provider, partition, verdict.dailyQuota().get(), verdict.reason());
		}
		if (verdict.failFast()) {
			Optional<RetryHint> hint = verdict.hint();
			if (verdict.category() != ErrorCategory.NEVER_RETRY && hint.isPresent()) {
				return new CallVerdict.Fail(new RetryAfterTooLongException(provider.name(), status,
						hint.get().requested(), retry.maxRetryAfter()));
			}
			if (status == 429 || status == 402) {
				this.listener.quotaExhausted(provider.name(), partition.key(), verdict.reason());
			}
			return new CallVerdict.Fail(
					new LlmProviderException(provider.name(), status, verdict.category(), verdict.reason()));
		}
		if (!verdict.retryable()) {
			return new CallVerdict.GiveUp();
		}
		Duration delay = verdict.hint().map(RetryHint::delay).orElseGet(() -> retry.backoff(attempt, this.random));
		boolean shared = status == 429;
		if (shared) {
			String limitType = verdict.limitType().dimension().map((d) -> d.id()).orElse("unknown");
			this.listener.rateLimited(provider.name(), partition.key(), limitType, delay);
			partition.coolDown(delay, "HTTP 429 (" + limitType + "), retry after " + delay.toMillis() + " ms");
			if (verdict.limitType() == LimitType.REQUESTS || verdict.limitType() == LimitType.UNKNOWN) {
				partition.observeRefusal(delay);
			}
			if (!verdict.overload()) {
				// refused although our books had room: jitter or skew, the partition
				// widens its guard
				partition.refusedWithRoom();
			}
		}
		if (!retry.allowsAnotherAttempt(attempt)) {
			return new CallVerdict.GiveUp();
		}
		if (retry.deadline() != null && elapsed.plus(delay).compareTo(retry.deadline()) > 0) {
			return new CallVerdict.GiveUp();
		}
		this.listener.retried(provider.name(), partition.key(), attempt + 1, delay);
		return new CallVerdict.Retry(delay, shared);
	}

	/**
	 * A refused daily quota: no call can succeed before the reset, so the partition is
	 * blocked until then (callers who would wait past max-wait fail at once with the same
	 * typed exception as this call).
	 */
	private CallVerdict parkUntilReset(LlmProvider provider, Partition partition, DailyQuota quota, String reason) {
		Duration untilReset = Duration.between(this.clock.instant(), quota.resetAt());
		this.listener.quotaExhausted(provider.name(), partition.key(), reason);
		partition.park(untilReset, "daily quota " + DailyQuotaExhaustedException.safe(quota.quotaId())
				+ " exhausted until " + quota.resetAt(), () -> DailyQuotaExhaustedException.of(provider.name(), quota));
		return new CallVerdict.Fail(DailyQuotaExhaustedException.of(provider.name(), quota));
	}

	/**
	 * Backoff for a transport failure (connection reset, timeout) before attempt
	 * {@code attempt + 1}, if allowed.
	 */
	public Optional<Duration> onTransportError(LlmProvider provider, Partition partition, int attempt,
			Duration elapsed) {
		RetryPolicy retry = provider.retry();
		if (!retry.allowsAnotherAttempt(attempt)) {
			return Optional.empty();
		}
		Duration delay = retry.backoff(attempt, this.random);
		if (retry.deadline() != null && elapsed.plus(delay).compareTo(retry.deadline()) > 0) {
			return Optional.empty();
		}
		this.listener.retried(provider.name(), partition.key(), attempt + 1, delay);
		return Optional.of(delay);
	}

	private void apply(LlmProvider provider, Partition partition, RateLimitSnapshot snapshot, boolean learn,
			boolean report) {
		if (snapshot.isEmpty()) {
			return;
		}
		// Learn limits first: what remains is judged against the limit the provider
		// states, not the one we had.
		for (DimensionState state : snapshot.dimensions().values()) {
			Dimension dimension = Dimension.of(state.dimension().id());
			if (learn && state.limit().isPresent() && state.window().isPresent()
					&& partition.learnLimit(dimension, state.limit().getAsLong(), state.window().get())) {
				this.listener.limitLearned(provider.name(), partition.key(),
						dev.llmthrottle.core.Limit.of(dimension, state.limit().getAsLong(), state.window().get()));
			}
		}
		if (!report) {
			return;
		}
		for (DimensionState state : snapshot.dimensions().values()) {
			if (state.remaining().isPresent() && state.resetMillis().isPresent()) {
				partition.reportRemaining(Dimension.of(state.dimension().id()), state.remaining().getAsLong(),
						Duration.ofMillis(state.resetMillis().getAsLong()));
			}
		}
	}

}
