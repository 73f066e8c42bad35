package dev.llmthrottle.autoconfigure;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.llmthrottle.protocol.Dialect;

/**
 * The settings of one provider, or the defaults merged into every provider. Every value
 * is a wrapper type so that "not set" can be told apart from a value: an unset provider
 * value takes the default's, and an unset default takes the built-in fallback named in
 * its description.
 */
public class ProviderProperties {

	/**
	 * Base URL(s) of the provider's API, absolute http or https. HTTP clients calling a
	 * URL under one of them are throttled as this provider.
	 */
	private List<URI> baseUrl = new ArrayList<>();

	/**
	 * How the provider reports usage and rate limits. When unset, inferred from a
	 * well-known base URL host, else generic.
	 */
	private Dialect dialect;

	/**
	 * Maximum number of calls in flight at once per partition. When unset, concurrency is
	 * not capped.
	 */
	private Integer maxConcurrent;

	/**
	 * Maximum number of requests per minute, or 'auto' to adopt the limit the provider
	 * reports in its rate-limit headers (the same holds for every *-per-minute and
	 * *-per-day key).
	 */
	private LimitAmount requestsPerMinute;

	/**
	 * Maximum number of tokens (input plus output) per minute.
	 */
	private LimitAmount tokensPerMinute;

	/**
	 * Maximum number of input (prompt) tokens per minute.
	 */
	private LimitAmount inputTokensPerMinute;

	/**
	 * Maximum number of output (completion) tokens per minute.
	 */
	private LimitAmount outputTokensPerMinute;

	/**
	 * Maximum number of requests per day.
	 */
	private LimitAmount requestsPerDay;

	/**
	 * Maximum number of tokens (input plus output) per day.
	 */
	private LimitAmount tokensPerDay;

	/**
	 * Further limits of any dimension and period, for example 10 requests per 1s.
	 */
	private List<LimitProperties> limits = new ArrayList<>();

	/**
	 * Longest time a call may wait for admission before it is rejected. When unset, 1m.
	 */
	private Duration maxWait;

	/**
	 * Maximum number of calls waiting at once per partition. When unset, 1000.
	 */
	private Integer maxQueue;

	/**
	 * Output tokens reserved for a call whose size is not otherwise known. When unset,
	 * none.
	 */
	private Long defaultOutputTokens;

	/**
	 * Where the throttle state lives. When unset, memory.
	 */
	private Backend backend;

	/**
	 * How far calls may run ahead of the steady rate after an idle spell. When unset, 0
	 * (strict pacing, safe against every provider enforcement model).
	 */
	private Duration burst;

	/**
	 * How the provider counts its limits, which decides how much of each window may be
	 * spent at once: paced, sliding-window, token-bucket or fixed-window. Applies to
	 * every limit of the provider, the *-per-minute and *-per-day keys included, unless
	 * an entry of 'limits' sets its own. When unset, paced (safe against every provider,
	 * including one that quantizes a per-minute limit per second).
	 */
	private String enforcement;

	/**
	 * Maximum number of partitions (keys) kept at once; idle ones are evicted to make
	 * room. When unset, 10000.
	 */
	private Integer maxPartitions;

	/**
	 * Least fraction of a partition's admissions each priority lane below interactive
	 * (default, batch) gets while it has callers waiting, from 0 (strict priority) to
	 * 0.5. When unset, 0.1.
	 */
	private Double minShare;

	/**
	 * Whether the provider may have no limit at all. Without it, a provider with no limit
	 * fails startup.
	 */
	private Boolean unlimited;

	/**
	 * Retries of calls the provider refused (429 or overload).
	 */
	private final Retry retry = new Retry();

	public List<URI> getBaseUrl() {
		return this.baseUrl;
	}

	public void setBaseUrl(List<URI> baseUrl) {
		this.baseUrl = baseUrl;
	}

	public Dialect getDialect() {
		return this.dialect;
	}

	public void setDialect(Dialect dialect) {
		this.dialect = dialect;
	}

	public Integer getMaxConcurrent() {
		return this.maxConcurrent;
	}

	public void setMaxConcurrent(Integer maxConcurrent) {
		this.maxConcurrent = maxConcurrent;
	}

	public LimitAmount getRequestsPerMinute() {
		return this.requestsPerMinute;
	}

	public void setRequestsPerMinute(LimitAmount requestsPerMinute) {
		this.requestsPerMinute = requestsPerMinute;
	}

	public LimitAmount getTokensPerMinute() {
		return this.tokensPerMinute;
	}

	public void setTokensPerMinute(LimitAmount tokensPerMinute) {
		this.tokensPerMinute = tokensPerMinute;
	}

	public LimitAmount getInputTokensPerMinute() {
		return this.inputTokensPerMinute;
	}

	public void setInputTokensPerMinute(LimitAmount inputTokensPerMinute) {
		this.inputTokensPerMinute = inputTokensPerMinute;
	}

	public LimitAmount getOutputTokensPerMinute() {
		return this.outputTokensPerMinute;
	}

	public void setOutputTokensPerMinute(LimitAmount outputTokensPerMinute) {
		this.outputTokensPerMinute = outputTokensPerMinute;
	}

	public LimitAmount getRequestsPerDay() {
		return this.requestsPerDay;
	}

	public void setRequestsPerDay(LimitAmount requestsPerDay) {
		this.requestsPerDay = requestsPerDay;
	}

	public LimitAmount getTokensPerDay() {
		return this.tokensPerDay;
	}

	public void setTokensPerDay(LimitAmount tokensPerDay) {
		this.tokensPerDay = tokensPerDay;
	}

	public List<LimitProperties> getLimits() {
		return this.limits;
	}

	public void setLimits(List<LimitProperties> limits) {
		this.limits = limits;
	}

	public Duration getMaxWait() {
		return this.maxWait;
	}

	public void setMaxWait(Duration maxWait) {
		this.maxWait = maxWait;
	}

	public Integer getMaxQueue() {
		return this.maxQueue;
	}

	public void setMaxQueue(Integer maxQueue) {
		this.maxQueue = maxQueue;
	}

	public Long getDefaultOutputTokens() {
		return this.defaultOutputTokens;
	}

	public void setDefaultOutputTokens(Long defaultOutputTokens) {
		this.defaultOutputTokens = defaultOutputTokens;
	}

	public Backend getBackend() {
		return this.backend;
	}

	public void setBackend(Backend backend) {
		this.backend = backend;
	}

	public Double getMinShare() {
		return this.minShare;
	}

	public void setMinShare(Double minShare) {
		this.minShare = minShare;
	}

	public Duration getBurst() {
		return this.burst;
	}

	public String getEnforcement() {
		return this.enforcement;
	}

	public void setEnforcement(String enforcement) {
		this.enforcement = enforcement;
	}

	public void setBurst(Duration burst) {
		this.burst = burst;
	}

	public Integer getMaxPartitions() {
		return this.maxPartitions;
	}

	public void setMaxPartitions(Integer maxPartitions) {
		this.maxPartitions = maxPartitions;
	}

	public Boolean getUnlimited() {
		return this.unlimited;
	}

	public void setUnlimited(Boolean unlimited) {
		this.unlimited = unlimited;
	}

	public Retry getRetry() {
		return this.retry;
	}

	/**
	 * One entry of {@code limits}: at most {@code amount} of {@code dimension} in any
	 * {@code period}.
	 */
	public static class LimitProperties {

		/**
		 * What is counted: requests, tokens, input-tokens or output-tokens.
		 */
		private String dimension;

		/**
		 * How much is allowed per period, at least 1.
		 */
		private Long amount;

		/**
		 * Length of the trailing window, for example 10s or 1m.
		 */
		private Duration period;

		/**
		 * How the provider counts this limit: paced, sliding-window, token-bucket or
		 * fixed-window. When unset, the provider's enforcement.
		 */
		private String enforcement;

		/**
		 * How far calls may run ahead of this limit's steady rate after an idle spell,
		 * when it is paced. When unset, the provider's burst.
		 */
		private Duration burst;

		public String getEnforcement() {
			return this.enforcement;
		}

		public void setEnforcement(String enforcement) {
			this.enforcement = enforcement;
		}

		public Duration getBurst() {
			return this.burst;
		}

		public void setBurst(Duration burst) {
			this.burst = burst;
		}

		public String getDimension() {
			return this.dimension;
		}

		public void setDimension(String dimension) {
			this.dimension = dimension;
		}

		public Long getAmount() {
			return this.amount;
		}

		public void setAmount(Long amount) {
			this.amount = amount;
		}

		public Duration getPeriod() {
			return this.period;
		}

		public void setPeriod(Duration period) {
			this.period = period;
		}

	}

	/**
	 * How calls the provider refused are retried.
	 */
	public static class Retry {

		/**
		 * Maximum number of attempts, the first included. When unset, 3.
		 */
		private Integer maxAttempts;

		/**
		 * Wait before the first retry when the provider gives no hint. When unset, 500ms.
		 */
		private Duration initialBackoff;

		/**
		 * Longest wait between two attempts when the provider gives no hint. When unset,
		 * 8s.
		 */
		private Duration maxBackoff;

		/**
		 * Longest provider-requested wait (Retry-After) that is honoured; longer hints
		 * fail the call. When unset, 120s.
		 */
		private Duration maxRetryAfter;

		/**
		 * Time budget of a call across all its attempts. When unset, only max-attempts
		 * bounds retries.
		 */
		private Duration deadline;

		public Integer getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(Integer maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getInitialBackoff() {
			return this.initialBackoff;
		}

		public void setInitialBackoff(Duration initialBackoff) {
			this.initialBackoff = initialBackoff;
		}

		public Duration getMaxBackoff() {
			return this.maxBackoff;
		}

		public void setMaxBackoff(Duration maxBackoff) {
			this.maxBackoff = maxBackoff;
		}

		public Duration getMaxRetryAfter() {
			return this.maxRetryAfter;
		}

		public void setMaxRetryAfter(Duration maxRetryAfter) {
			this.maxRetryAfter = maxRetryAfter;
		}

		public Duration getDeadline() {
			return this.deadline;
		}

		public void setDeadline(Duration deadline) {
			this.deadline = deadline;
		}

	}

}
