package dev.llmthrottle.autoconfigure.aop;

import dev.llmthrottle.protocol.ProtocolHeaders;

/**
 * What a failed call's exception says about the provider's response: enough for
 * {@link dev.llmthrottle.exchange.ResponseFeedback#onError} to classify it.
 *
 * @param status the HTTP status
 * @param headers the response headers
 * @param body the response body as text, empty when unknown
 */
record FailedResponse(int status, ProtocolHeaders headers, String body) {

	/**
	 * The same response with its body cut to {@code maxChars}: classification needs the
	 * start only.
	 */
	FailedResponse bounded(int maxChars) {
		return (this.body.length() <= maxChars) ? this
				: new FailedResponse(this.status, this.headers, this.body.substring(0, maxChars));
	}

}
