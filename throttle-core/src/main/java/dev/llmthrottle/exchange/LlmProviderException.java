package dev.llmthrottle.exchange;

import dev.llmthrottle.protocol.ErrorCategory;

/**
 * The provider refused a call in a way that retrying will not fix (insufficient quota, a
 * spend cap, a request too large for the limit, bad credentials, a malformed request).
 * Carries the provider's own message with anything that looks like a credential redacted.
 */
public class LlmProviderException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String provider;

	private final int status;

	private final transient ErrorCategory category;

	public LlmProviderException(String provider, int status, ErrorCategory category, String reason) {
		super("Provider '" + provider + "' refused the call (HTTP " + status + ", "
				+ category.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ")"
				+ ((reason == null || reason.isBlank()) ? "" : ": " + reason));
		this.provider = provider;
		this.status = status;
		this.category = category;
	}

	public String provider() {
		return this.provider;
	}

	/** The HTTP status the provider answered with. */
	public int status() {
		return this.status;
	}

	public ErrorCategory category() {
		return this.category;
	}

}
