package dev.llmthrottle.exchange;

import java.time.Duration;

import dev.llmthrottle.core.DurationFormat;
import dev.llmthrottle.protocol.ErrorCategory;

/**
 * The provider asked us to wait longer than {@code retry.max-retry-after} (a daily quota,
 * a huge or broken hint): failing now beats parking a caller for hours.
 */
public class RetryAfterTooLongException extends LlmProviderException {

	private static final long serialVersionUID = 1L;

	private final Duration requested;

	public RetryAfterTooLongException(String provider, int status, Duration requested, Duration cap) {
		super(provider, status, ErrorCategory.RETRY_AFTER_HINT, "asked to retry after "
				+ DurationFormat.format(requested) + ", more than max-retry-after " + DurationFormat.format(cap));
		this.requested = requested;
	}

	/** The wait the provider asked for. */
	public Duration requested() {
		return this.requested;
	}

}
