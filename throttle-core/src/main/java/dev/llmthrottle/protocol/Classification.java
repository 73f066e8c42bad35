package dev.llmthrottle.protocol;

import java.util.Objects;
import java.util.Optional;

/**
 * The verdict on one response, from {@link ErrorClassifier}.
 *
 * @param status the HTTP status classified (for stream events, the status the event maps
 * to)
 * @param category what to do
 * @param hint the provider's wait hint, if any; present for
 * {@link ErrorCategory#RETRY_AFTER_HINT} and possibly for other categories, where it is
 * informational
 * @param reason a short, single-line, credential-free description built from the
 * provider's message, safe for exceptions and logs
 * @param overload whether this is provider-wide overload (Anthropic 529, 503,
 * "overloaded"): back off, but do not shrink learned limits
 * @param slowDown whether the local rate should be lowered (a rate-limit 429, or an
 * explicit "slow down")
 * @param limitType which limit a 429 concerns, if known
 * @param rateLimits the response's rate-limit headers, parsed
 * @param dailyQuota the per-day quota the refusal names (Gemini {@code PerDay}), with its
 * reset, if any: the category is then {@link ErrorCategory#NEVER_RETRY}, and nothing sent
 * before the reset can succeed
 */
public record Classification(int status, ErrorCategory category, Optional<RetryHint> hint, String reason,
		boolean overload, boolean slowDown, LimitType limitType, RateLimitSnapshot rateLimits,
		Optional<DailyQuota> dailyQuota) {

	public Classification {
		Objects.requireNonNull(category, "category");
		Objects.requireNonNull(hint, "hint");
		Objects.requireNonNull(reason, "reason");
		Objects.requireNonNull(limitType, "limitType");
		Objects.requireNonNull(rateLimits, "rateLimits");
		Objects.requireNonNull(dailyQuota, "dailyQuota");
	}

	/** A verdict that names no daily quota. */
	public Classification(int status, ErrorCategory category, Optional<RetryHint> hint, String reason, boolean overload,
			boolean slowDown, LimitType limitType, RateLimitSnapshot rateLimits) {
		this(status, category, hint, reason, overload, slowDown, limitType, rateLimits, Optional.empty());
	}

	/** Whether the call may be retried (any {@code RETRY_*} category). */
	public boolean retryable() {
		return this.category == ErrorCategory.RETRY_AFTER_HINT || this.category == ErrorCategory.RETRY_BACKOFF
				|| this.category == ErrorCategory.RETRY_SLOW_DOWN;
	}

	/**
	 * Whether the caller should give up now: never-retry, or a hint above the cap
	 * (Azure's daily quota asking for hours, a 99999999999-second {@code retry-after}).
	 */
	public boolean failFast() {
		return this.category == ErrorCategory.NEVER_RETRY || (this.category == ErrorCategory.RETRY_AFTER_HINT
				&& this.hint.isPresent() && this.hint.get().exceedsCap());
	}

}
