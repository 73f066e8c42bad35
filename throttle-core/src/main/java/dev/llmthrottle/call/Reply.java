package dev.llmthrottle.call;

import java.util.Objects;

import dev.llmthrottle.protocol.ProtocolHeaders;

/**
 * What the pipeline reads of a provider's answer: its status, headers and, for an error,
 * the start of its body (enough to classify it).
 *
 * @param status the HTTP status
 * @param headers the response headers
 * @param body the error body as text (bounded), empty for a success or when unknown
 */
public record Reply(int status, ProtocolHeaders headers, String body) {

	/** A success that says nothing about limits (a method's return value). */
	public static final Reply SUCCESS = new Reply(200, ProtocolHeaders.empty(), "");

	public Reply {
		Objects.requireNonNull(headers, "headers");
		body = (body != null) ? body : "";
	}

	/** Whether the provider accepted the call. */
	public boolean isSuccess() {
		return this.status < 400;
	}

}
