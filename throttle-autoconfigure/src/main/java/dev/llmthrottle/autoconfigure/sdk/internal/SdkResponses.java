package dev.llmthrottle.autoconfigure.sdk.internal;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.function.Supplier;

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
	 * The response with the status and headers of {@code response}, whose {@code body()}
	 * answers {@code body} and whose {@code close()} runs {@code close}.
	 */
	R rebuilt(R response, Supplier<InputStream> body, Runnable close);

	/**
	 * The response whose body is {@code body} (metered) and whose {@code close()} runs
	 * {@code body.closeResponse()}.
	 */
	default R metered(R response, MeteredInputStream body) {
		return rebuilt(response, () -> body, body::closeResponse);
	}

	/** The response with its (already read) error body replaced by {@code body}. */
	default R withBody(R response, byte[] body) {
		return rebuilt(response, () -> new ByteArrayInputStream(body), () -> close(response));
	}

}
