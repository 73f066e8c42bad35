package dev.llmthrottle.autoconfigure.aop;

import dev.llmthrottle.core.ThrottleRejectedException;

/**
 * A blocking caller of an {@code @LlmThrottled} method was interrupted while waiting for admission. Nothing was
 * admitted and the method was not invoked; the thread's interrupt flag is set again before this is thrown, so the
 * interruption is not lost.
 */
public class AdmissionInterruptedException extends ThrottleRejectedException {

	private static final long serialVersionUID = 1L;

	public AdmissionInterruptedException(String provider, InterruptedException cause) {
		super(provider, "Provider '" + provider + "': interrupted while waiting for admission");
		initCause(cause);
	}

	@Override
	public String reason() {
		return "interrupted";
	}

}
