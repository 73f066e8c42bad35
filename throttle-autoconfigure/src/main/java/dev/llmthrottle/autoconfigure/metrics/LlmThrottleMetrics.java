package dev.llmthrottle.autoconfigure.metrics;

import java.util.List;

/**
 * Names, tags and tag values of the LLM throttle metrics. Every meter carries
 * {@value #PROVIDER}; some add {@value #OUTCOME} or {@value #DIMENSION}. No other tag is
 * ever used, so cardinality is bounded by the number of configured providers times a few
 * fixed values.
 */
public final class LlmThrottleMetrics {

	/**
	 * Timer (with a percentile histogram): how long admitted calls waited for admission
	 * (0 on the fast path).
	 */
	public static final String ADMISSION_WAIT = "llm.throttle.admission.wait";

	/**
	 * Counter: admission decisions, by {@value #OUTCOME}: {@value #OUTCOME_ADMITTED} or
	 * the rejection reason ({@code too-large}, {@code max-wait}, {@code queue-full},
	 * {@code partitions-full}).
	 */
	public static final String CALLS = "llm.throttle.calls";

	/**
	 * Counter: estimated tokens of calls settled with reported usage, by
	 * {@value #DIMENSION} (input/output).
	 */
	public static final String TOKENS_ESTIMATED = "llm.throttle.tokens.estimated";

	/**
	 * Counter: actual tokens reported for the same calls, by {@value #DIMENSION}
	 * (input/output).
	 */
	public static final String TOKENS_ACTUAL = "llm.throttle.tokens.actual";

	/**
	 * Distribution summary: absolute difference between estimated and actual tokens per
	 * call, by dimension.
	 */
	public static final String TOKENS_ESTIMATE_ERROR = "llm.throttle.tokens.estimate.error";

	/** Gauge: calls in flight, all partitions. */
	public static final String IN_FLIGHT = "llm.throttle.in.flight";

	/**
	 * Gauge: calls allowed in flight at once: under {@code max-concurrent: auto}, the
	 * lowest adaptive limit (this instance's) of the partitions that measured a call (the
	 * default partition's while none has), else the configured cap; 0 for none.
	 */
	public static final String CONCURRENCY_LIMIT = "llm.throttle.concurrency.limit";

	/** Gauge: callers waiting for admission, all partitions. */
	public static final String QUEUED = "llm.throttle.queued";

	/**
	 * Time gauge (seconds): the longest cooldown remaining in any partition, 0 when none.
	 */
	public static final String COOLDOWN_REMAINING = "llm.throttle.cooldown.remaining";

	/** Counter: cooldowns set or extended. */
	public static final String COOLDOWNS = "llm.throttle.cooldowns";

	/**
	 * Counter: 429 responses, by {@value #DIMENSION} = the limit type named (or
	 * {@code unknown}).
	 */
	public static final String RATE_LIMITED = "llm.throttle.rate.limited";

	/** Counter: retries of refused calls. */
	public static final String RETRIES = "llm.throttle.retries";

	/** Counter: limits learned from the provider, by {@value #DIMENSION}. */
	public static final String LIMITS_LEARNED = "llm.throttle.limits.learned";

	/** Counter: quota-exhausted reports. */
	public static final String QUOTA_EXHAUSTED = "llm.throttle.quota.exhausted";

	/** Counter: backend (e.g. Redis) failures after which the failure policy applied. */
	public static final String BACKEND_DEGRADED = "llm.throttle.backend.degraded";

	/** Tag: the configured provider name. */
	public static final String PROVIDER = "provider";

	/** Tag: the outcome of an admission. */
	public static final String OUTCOME = "outcome";

	/** Tag: a limit dimension or limit type. */
	public static final String DIMENSION = "dimension";

	/** {@value #OUTCOME} of an admitted call. */
	public static final String OUTCOME_ADMITTED = "admitted";

	/** Rejection reasons registered up front (others are added when first seen). */
	public static final List<String> REJECTION_REASONS = List.of("too-large", "max-wait", "queue-full",
			"partitions-full");

	/** {@value #DIMENSION} values of {@link #RATE_LIMITED}. */
	public static final List<String> LIMIT_TYPES = List.of("requests", "tokens", "input-tokens", "output-tokens",
			"unknown");

	/** Every metric name, for documentation and tests. */
	public static final List<String> NAMES = List.of(ADMISSION_WAIT, CALLS, TOKENS_ESTIMATED, TOKENS_ACTUAL,
			TOKENS_ESTIMATE_ERROR, IN_FLIGHT, QUEUED, COOLDOWN_REMAINING, COOLDOWNS, RATE_LIMITED, RETRIES,
			LIMITS_LEARNED, QUOTA_EXHAUSTED, BACKEND_DEGRADED, CONCURRENCY_LIMIT);

	private LlmThrottleMetrics() {
	}

}
