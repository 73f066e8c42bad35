package dev.llmthrottle.autoconfigure.sdk.internal;

import java.io.InputStream;

import dev.llmthrottle.call.MeteredInputStream;
import dev.llmthrottle.protocol.ProtocolHeaders;

/**
 * How one SDK's {@code HttpResponse} type is read and rebuilt, so that one
 * {@link SdkCallShape} serves both SDKs.
 *
 * @param <R> the SDK's response type
 */
public interface SdkResponses<R> {

	int status(R response);

	ProtocolHeaders headers(R response);

	InputStream body(R response);

	/** Closes the response; must not throw. */
	void close(R response);

	/**
	 * The response whose body is {@code body} (metered) and whose {@code close()} runs
	 * {@code body.closeResponse()}.
	 */
	R metered(R response, MeteredInputStream body);

	/** The response with its (already read) error body replaced by {@code body}. */
	R withBody(R response, byte[] body);

}
