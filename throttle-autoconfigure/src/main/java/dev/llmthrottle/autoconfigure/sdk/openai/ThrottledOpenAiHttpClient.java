package dev.llmthrottle.autoconfigure.sdk.openai;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import com.openai.core.RequestOptions;
import com.openai.core.http.HttpClient;
import com.openai.core.http.HttpRequest;
import com.openai.core.http.HttpRequestBody;
import com.openai.core.http.HttpResponse;
import com.openai.core.http.WebSocketClient;

import dev.llmthrottle.autoconfigure.sdk.SdkThrottle;
import dev.llmthrottle.autoconfigure.sdk.internal.SdkRequests;
import dev.llmthrottle.exchange.LlmProvider;

/**
 * openai-java's raw {@link HttpClient} with each request to a configured provider run
 * through the call pipeline: {@code execute} on the calling thread, {@code executeAsync}
 * without parking any thread. Sits under the SDK's own retry layer (turned off, see
 * {@link OpenAiSdkThrottle}), so one SDK attempt is one pipeline call. WebSocket
 * connections (the Realtime API) pass through unthrottled.
 */
class ThrottledOpenAiHttpClient implements HttpClient {

	private final HttpClient delegate;

	private final SdkThrottle throttle;

	ThrottledOpenAiHttpClient(HttpClient delegate, SdkThrottle throttle) {
		this.delegate = delegate;
		this.throttle = throttle;
	}

	/** The decorator of {@code delegate}, keeping its WebSocket capability. */
	static HttpClient of(HttpClient delegate, SdkThrottle throttle) {
		return (delegate instanceof WebSocketClient) ? new WithWebSockets(delegate, throttle)
				: new ThrottledOpenAiHttpClient(delegate, throttle);
	}

	@Override
	public HttpResponse execute(HttpRequest request, RequestOptions options) {
		Optional<LlmProvider> provider = this.throttle.provider(request.url());
		if (provider.isEmpty()) {
			return this.delegate.execute(request, options);
		}
		return this.throttle.execute(provider.get(), rawKey(request), body(request), repeatable(request),
				OpenAiResponses.INSTANCE, () -> this.delegate.execute(request, options));
	}

	@Override
	public CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions options) {
		Optional<LlmProvider> provider = this.throttle.provider(request.url());
		if (provider.isEmpty()) {
			return this.delegate.executeAsync(request, options);
		}
		return this.throttle.executeAsync(provider.get(), rawKey(request), body(request), repeatable(request),
				OpenAiResponses.INSTANCE, () -> this.delegate.executeAsync(request, options));
	}

	@Override
	public void close() {
		this.delegate.close();
	}

	HttpClient delegate() {
		return this.delegate;
	}

	private static String rawKey(HttpRequest request) {
		return SdkRequests.rawKey((name) -> request.headers().values(name));
	}

	private static byte[] body(HttpRequest request) {
		HttpRequestBody body = request.body();
		if (body == null) {
			return new byte[0];
		}
		return SdkRequests.jsonBody(body.contentType(), body.contentLength(), body.repeatable(), body::writeTo);
	}

	private static boolean repeatable(HttpRequest request) {
		HttpRequestBody body = request.body();
		return body == null || body.repeatable();
	}

	/** The decorator of a transport that also opens WebSockets (passed through). */
	static final class WithWebSockets extends ThrottledOpenAiHttpClient implements WebSocketClient {

		WithWebSockets(HttpClient delegate, SdkThrottle throttle) {
			super(delegate, throttle);
		}

		@Override
		public CompletableFuture<Connection> connectWebSocket(HttpRequest request, RequestOptions options,
				int maxMessageBytes, Listener listener) {
			return ((WebSocketClient) delegate()).connectWebSocket(request, options, maxMessageBytes, listener);
		}

	}

}
