package dev.llmthrottle.core.redis;

import dev.llmthrottle.core.ThrottleRejectedException;

/**
 * A call was refused because the shared backend (Redis) could not decide and the
 * provider's failure policy is {@link FailurePolicy#FAIL_CLOSED} (or the call cannot fit
 * the local share of a limit while failing open). The message names the provider and the
 * failure, never a key.
 */
public class BackendUnavailableException extends ThrottleRejectedException {

	private static final long serialVersionUID = 1L;

	public BackendUnavailableException(String provider, String detail) {
		super(provider,
				"Call to '" + provider + "' refused: the shared throttle backend is unavailable (" + detail + ")");
	}

	@Override
	public String reason() {
		return "backend-unavailable";
	}

}
