package dev.llmthrottle.call;

import dev.llmthrottle.core.ThrottleRejectedException;

/**
 * A blocking caller of the programmatic API was interrupted while waiting for admission
 * or for its next attempt. Nothing more was sent; the thread's interrupt flag is set
 * again before this is thrown.
 */
public class CallInterruptedException extends ThrottleRejectedException {

	private static final long serialVersionUID = 1L;

	public CallInterruptedException(String provider, boolean waitingToRetry, InterruptedException cause) {
		super(provider, "Provider '" + provider + "': interrupted while "
				+ (waitingToRetry ? "waiting to retry a failed call" : "waiting for admission"));
		initCause(cause);
	}

	@Override
	public String reason() {
		return "interrupted";
	}

}
