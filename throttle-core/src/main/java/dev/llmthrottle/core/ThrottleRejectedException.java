package dev.llmthrottle.core;

import java.util.concurrent.RejectedExecutionException;

/**
 * A call was not admitted: it can never fit, it would wait too long, or the queue is
 * full. Extends {@link RejectedExecutionException} like Spring's own concurrency-limit
 * rejection, so generic handlers treat it as back-pressure. Messages name the provider
 * and never contain keys.
 */
public abstract class ThrottleRejectedException extends RejectedExecutionException {

	private static final long serialVersionUID = 1L;

	private final String provider;

	protected ThrottleRejectedException(String provider, String message) {
		super(message);
		this.provider = provider;
	}

	/** The configured provider name. */
	public String provider() {
		return this.provider;
	}

	/** A short machine-friendly reason, used as a metric tag and in events. */
	public abstract String reason();

}
