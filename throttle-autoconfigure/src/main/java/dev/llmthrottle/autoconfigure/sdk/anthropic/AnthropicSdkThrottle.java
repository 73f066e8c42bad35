package dev.llmthrottle.autoconfigure.sdk.anthropic;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.core.ClientOptions;
import com.anthropic.core.http.Interceptor;

import dev.llmthrottle.autoconfigure.sdk.SdkThrottle;

/**
 * Puts the call pipeline under anthropic-java clients:
 *
 * <pre>{@code
 * AnthropicClient client = new AnthropicSdkThrottle(sdkThrottle).throttle(AnthropicOkHttpClient.builder()
 *     .baseUrl("https://api.anthropic.com").apiKey(key).build());
 * }</pre>
 *
 * The returned client is the same client with the throttling {@link #interceptor()} added
 * innermost (after any interceptors of the application, so theirs see what the pipeline
 * returns) and {@code maxRetries(0)}: the provider's retry policy
 * ({@code llm.throttle.providers.<name>.retry.*}) retries through admission instead, so
 * retries are owned once. A client whose base URL no configured provider covers is
 * returned unchanged (its retries too).
 */
public final class AnthropicSdkThrottle {

	private final SdkThrottle throttle;

	private final Interceptor interceptor;

	public AnthropicSdkThrottle(SdkThrottle throttle) {
		this.throttle = Objects.requireNonNull(throttle, "throttle");
		this.interceptor = (client) -> new ThrottledAnthropicHttpClient(client, this.throttle);
	}

	/** {@code client} under the pipeline (or unchanged, see the class description). */
	public AnthropicClient throttle(AnthropicClient client) {
		if (this.throttle.isThrottled(client)) {
			return client;
		}
		AtomicBoolean covered = new AtomicBoolean();
		AnthropicClient wrapped = client.withOptions(wrap(covered));
		return covered.get() ? this.throttle.markThrottled(wrapped) : client;
	}

	/** {@code client} under the pipeline (or unchanged, see the class description). */
	public AnthropicClientAsync throttle(AnthropicClientAsync client) {
		if (this.throttle.isThrottled(client)) {
			return client;
		}
		AtomicBoolean covered = new AtomicBoolean();
		AnthropicClientAsync wrapped = client.withOptions(wrap(covered));
		return covered.get() ? this.throttle.markThrottled(wrapped) : client;
	}

	/**
	 * The throttling interceptor, for a client built by hand
	 * ({@code AnthropicOkHttpClient.builder().addInterceptor(...)}; set
	 * {@code maxRetries(0)} too).
	 */
	public Interceptor interceptor() {
		return this.interceptor;
	}

	/**
	 * The SDK retries of {@code client} (an {@code AnthropicClient} or
	 * {@code AnthropicClientAsync}), or empty for anything else.
	 */
	public static OptionalInt maxRetries(Object client) {
		AtomicInteger retries = new AtomicInteger(-1);
		Consumer<ClientOptions.Builder> read = (builder) -> retries.set(builder.build().maxRetries());
		if (client instanceof AnthropicClient sync) {
			sync.withOptions(read);
		}
		else if (client instanceof AnthropicClientAsync async) {
			async.withOptions(read);
		}
		return (retries.get() < 0) ? OptionalInt.empty() : OptionalInt.of(retries.get());
	}

	/**
	 * The base URL of {@code client} (an {@code AnthropicClient} or
	 * {@code AnthropicClientAsync}), or empty for anything else.
	 */
	public static Optional<String> baseUrl(Object client) {
		AtomicReference<String> url = new AtomicReference<>();
		Consumer<ClientOptions.Builder> read = (builder) -> url.set(builder.build().baseUrl());
		if (client instanceof AnthropicClient sync) {
			sync.withOptions(read);
		}
		else if (client instanceof AnthropicClientAsync async) {
			async.withOptions(read);
		}
		return Optional.ofNullable(url.get());
	}

	private Consumer<ClientOptions.Builder> wrap(AtomicBoolean covered) {
		return (builder) -> {
			ClientOptions current = builder.build();
			if (this.throttle.provider(current.baseUrl()).isEmpty()
					|| current.interceptors().contains(this.interceptor)) {
				return;
			}
			builder.addInterceptor(this.interceptor);
			builder.maxRetries(0);
			covered.set(true);
		};
	}

}
