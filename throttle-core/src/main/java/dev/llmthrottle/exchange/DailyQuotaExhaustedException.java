package dev.llmthrottle.exchange;

import java.time.Instant;

import dev.llmthrottle.core.ThrottleRejectedException;
import dev.llmthrottle.protocol.DailyQuota;
import dev.llmthrottle.protocol.SecretRedactor;

/**
 * The provider refused a per-day quota (Gemini {@code PerDay}, reset at midnight
 * Pacific): nothing sent before the reset can succeed, so the call that met the refusal
 * and every caller of the partition who would wait past {@code max-wait} for the reset
 * fail at once with this, instead of being sent and refused one by one. A
 * {@link java.util.concurrent.RejectedExecutionException}, like every other refusal of
 * the throttler.
 */
public class DailyQuotaExhaustedException extends ThrottleRejectedException {

	private static final long serialVersionUID = 1L;

	private static final int MAX_LIMIT_LENGTH = 200;

	private final String limit;

	private final Instant resetAt;

	/**
	 * @param provider the configured provider name
	 * @param limit the exhausted quota, as the provider names it
	 * @param resetAt when the quota resets
	 */
	public DailyQuotaExhaustedException(String provider, String limit, Instant resetAt) {
		super(provider, "Provider '" + provider + "': daily quota '" + safe(limit) + "' is exhausted until " + resetAt
				+ "; calls fail at once until then");
		this.limit = safe(limit);
		this.resetAt = resetAt;
	}

	/** The exception for a refused daily quota. */
	static DailyQuotaExhaustedException of(String provider, DailyQuota quota) {
		return new DailyQuotaExhaustedException(provider, quota.quotaId(), quota.resetAt());
	}

	/**
	 * The exhausted quota, as the provider names it (for Gemini, its {@code quotaId}).
	 */
	public String limit() {
		return this.limit;
	}

	/** When the quota resets and calls can succeed again. */
	public Instant resetAt() {
		return this.resetAt;
	}

	/** The provider's quota name, redacted and bounded: it comes from a response body. */
	static String safe(String limit) {
		return SecretRedactor.safeReason(limit, MAX_LIMIT_LENGTH);
	}

	@Override
	public String reason() {
		return "daily-quota";
	}

}
