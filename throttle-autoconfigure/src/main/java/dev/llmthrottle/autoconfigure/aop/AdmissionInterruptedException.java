package dev.llmthrottle.autoconfigure.aop;

import dev.llmthrottle.core.ThrottleRejectedException;

/**
 * A blocking caller of an {@code @LlmThrottled} method was interrupted while waiting for
 * admission, or for the next attempt after a failed one. Nothing was admitted and the
 * method was not invoked (again); the thread's interrupt flag is set again before this is
 * thrown, so the interruption is not lost. A previous attempt's failure, if any, is
 * attached as a suppressed exception.
 */
public class AdmissionInterruptedException extends ThrottleRejectedException {

	private static final long serialVersionUID = 1L;

	public AdmissionInterruptedException(String provider, InterruptedException cause) {
		this(provider, "Provider '" + provider + "': interrupted while waiting for admission", cause);
	}

	public AdmissionInterruptedException(String provider, String message, InterruptedException cause) {
		super(provider, message);
		initCause(cause);
	}

	@Override
	public String reason() {
		return "interrupted";
	}

}
