package dev.llmthrottle.autoconfigure.sdk.anthropic;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpRequestBody;
import com.anthropic.core.http.HttpResponse;

import dev.llmthrottle.autoconfigure.sdk.SdkThrottle;
import dev.llmthrottle.autoconfigure.sdk.internal.SdkRequests;
import dev.llmthrottle.exchange.LlmProvider;

/**
 * anthropic-java's {@link HttpClient}, as its innermost interceptor sees it, with each
 * request to a configured provider run through the call pipeline: {@code execute} on the
 * calling thread, {@code executeAsync} without parking any thread. Sits under the SDK's
 * own retry layer (turned off, see {@link AnthropicSdkThrottle}), so one SDK attempt is
 * one pipeline call.
 */
final class ThrottledAnthropicHttpClient implements HttpClient {

	private final HttpClient delegate;

	private final SdkThrottle throttle;

	ThrottledAnthropicHttpClient(HttpClient delegate, SdkThrottle throttle) {
		this.delegate = delegate;
		this.throttle = throttle;
	}

	@Override
	public HttpResponse execute(HttpRequest request, RequestOptions options) {
		Optional<LlmProvider> provider = this.throttle.provider(request.url());
		if (provider.isEmpty()) {
			return this.delegate.execute(request, options);
		}
		return this.throttle.execute(provider.get(), rawKey(request), body(request), repeatable(request),
				AnthropicResponses.INSTANCE, () -> this.delegate.execute(request, options));
	}

	@Override
	public CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions options) {
		Optional<LlmProvider> provider = this.throttle.provider(request.url());
		if (provider.isEmpty()) {
			return this.delegate.executeAsync(request, options);
		}
		return this.throttle.executeAsync(provider.get(), rawKey(request), body(request), repeatable(request),
				AnthropicResponses.INSTANCE, () -> this.delegate.executeAsync(request, options));
	}

	@Override
	public void close() {
		this.delegate.close();
	}

	private static String rawKey(HttpRequest request) {
		return SdkRequests.rawKey((name) -> request.headers().values(name));
	}

	private static byte[] body(HttpRequest request) {
		Optional<HttpRequestBody> body = request.body();
		if (body.isEmpty()) {
			return new byte[0];
		}
		HttpRequestBody content = body.get();
		return SdkRequests.jsonBody(content.contentType(), content.contentLength(), content.repeatable(),
				content::writeTo);
	}

	private static boolean repeatable(HttpRequest request) {
		return request.body().map(HttpRequestBody::repeatable).orElse(true);
	}

}
