package dev.llmthrottle.autoconfigure.sdk.anthropic;

import java.io.InputStream;
import java.util.function.Supplier;

import com.anthropic.core.http.Headers;
import com.anthropic.core.http.HttpResponse;

import dev.llmthrottle.autoconfigure.sdk.internal.SdkResponses;
import dev.llmthrottle.protocol.ProtocolHeaders;

/**
 * anthropic-java's {@link HttpResponse} as the shared SDK shape reads and rebuilds it.
 */
final class AnthropicResponses implements SdkResponses<HttpResponse> {

	static final AnthropicResponses INSTANCE = new AnthropicResponses();

	private AnthropicResponses() {
	}

	@Override
	public int status(HttpResponse response) {
		return response.statusCode();
	}

	@Override
	public ProtocolHeaders headers(HttpResponse response) {
		return headers(response.headers());
	}

	static ProtocolHeaders headers(Headers headers) {
		ProtocolHeaders.Builder builder = ProtocolHeaders.builder();
		for (String name : headers.names()) {
			builder.add(name, headers.values(name));
		}
		return builder.build();
	}

	@Override
	public InputStream body(HttpResponse response) {
		return response.body();
	}

	@Override
	public void close(HttpResponse response) {
		try {
			response.close();
		}
		catch (RuntimeException ex) {
			// freeing a response must not decide the call's outcome
		}
	}

	@Override
	public HttpResponse rebuilt(HttpResponse response, Supplier<InputStream> body, Runnable close) {
		return new HttpResponse() {

			@Override
			public int statusCode() {
				return response.statusCode();
			}

			@Override
			public Headers headers() {
				return response.headers();
			}

			@Override
			public InputStream body() {
				return body.get();
			}

			@Override
			public void close() {
				close.run();
			}

		};
	}

}
