package dev.llmthrottle.autoconfigure.sdk.openai;

import java.lang.reflect.Field;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import com.openai.client.OpenAIClient;
import com.openai.client.OpenAIClientAsync;
import com.openai.core.ClientOptions;
import com.openai.core.http.HttpClient;

import dev.llmthrottle.autoconfigure.sdk.SdkThrottle;

/**
 * Puts the call pipeline under openai-java clients:
 *
 * <pre>{@code
 * OpenAIClient client = new OpenAiSdkThrottle(sdkThrottle).throttle(OpenAIOkHttpClient.builder()
 *     .baseUrl("https://api.openai.com/v1").apiKey(key).build());
 * }</pre>
 *
 * The returned client is the same client (options, executors, connection pool) with its
 * raw {@code HttpClient} decorated and {@code maxRetries(0)}: the provider's retry policy
 * ({@code llm.throttle.providers.<name>.retry.*}) retries through admission instead, so
 * retries are owned once. A client whose base URL no configured provider covers is
 * returned unchanged (its retries too). The SDK does not expose the raw client of a built
 * client, so it is read from {@code ClientOptions.Builder}'s {@code httpClient} field; if
 * a future SDK renames it, {@link #throttle} fails with {@link IllegalStateException}
 * rather than leaving a client silently unthrottled. For options built by hand,
 * {@link #httpClient(HttpClient)} decorates a raw client.
 */
public final class OpenAiSdkThrottle {

	private final SdkThrottle throttle;

	public OpenAiSdkThrottle(SdkThrottle throttle) {
		this.throttle = Objects.requireNonNull(throttle, "throttle");
	}

	/** {@code client} under the pipeline (or unchanged, see the class description). */
	public OpenAIClient throttle(OpenAIClient client) {
		if (this.throttle.isThrottled(client)) {
			return client;
		}
		AtomicBoolean covered = new AtomicBoolean();
		OpenAIClient wrapped = client.withOptions(wrap(covered));
		return covered.get() ? this.throttle.markThrottled(wrapped) : client;
	}

	/** {@code client} under the pipeline (or unchanged, see the class description). */
	public OpenAIClientAsync throttle(OpenAIClientAsync client) {
		if (this.throttle.isThrottled(client)) {
			return client;
		}
		AtomicBoolean covered = new AtomicBoolean();
		OpenAIClientAsync wrapped = client.withOptions(wrap(covered));
		return covered.get() ? this.throttle.markThrottled(wrapped) : client;
	}

	/**
	 * A raw client decorated, for {@code ClientOptions.builder().httpClient(...)}; set
	 * {@code maxRetries(0)} on those options yourself.
	 */
	public HttpClient httpClient(HttpClient raw) {
		return ThrottledOpenAiHttpClient.of(raw, this.throttle);
	}

	/** Whether a configured provider covers {@code client}'s base URL. */
	public boolean covers(OpenAIClient client) {
		AtomicBoolean covered = new AtomicBoolean();
		client.withOptions((builder) -> covered.set(this.throttle.provider(builder.build().baseUrl()).isPresent()));
		return covered.get();
	}

	/**
	 * The SDK retries of {@code client} (an {@code OpenAIClient} or
	 * {@code OpenAIClientAsync}), or empty for anything else.
	 */
	public static OptionalInt maxRetries(Object client) {
		AtomicInteger retries = new AtomicInteger(-1);
		Consumer<ClientOptions.Builder> read = (builder) -> retries.set(builder.build().maxRetries());
		if (client instanceof OpenAIClient sync) {
			sync.withOptions(read);
		}
		else if (client instanceof OpenAIClientAsync async) {
			async.withOptions(read);
		}
		return (retries.get() < 0) ? OptionalInt.empty() : OptionalInt.of(retries.get());
	}

	/**
	 * The base URL of {@code client} (an {@code OpenAIClient} or
	 * {@code OpenAIClientAsync}), or empty for anything else.
	 */
	public static Optional<String> baseUrl(Object client) {
		AtomicReference<String> url = new AtomicReference<>();
		Consumer<ClientOptions.Builder> read = (builder) -> url.set(builder.build().baseUrl());
		if (client instanceof OpenAIClient sync) {
			sync.withOptions(read);
		}
		else if (client instanceof OpenAIClientAsync async) {
			async.withOptions(read);
		}
		return Optional.ofNullable(url.get());
	}

	private Consumer<ClientOptions.Builder> wrap(AtomicBoolean covered) {
		return (builder) -> {
			if (this.throttle.provider(builder.build().baseUrl()).isEmpty()) {
				return;
			}
			builder.httpClient(httpClient(RawClientField.read(builder)));
			builder.maxRetries(0);
			covered.set(true);
		};
	}

	/** The builder's raw client, which the SDK keeps private. */
	private static final class RawClientField {

		private static final @Nullable Field FIELD = find();

		private static @Nullable Field find() {
			try {
				Field field = ClientOptions.Builder.class.getDeclaredField("httpClient");
				field.setAccessible(true);
				return field;
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				return null;
			}
		}

		static HttpClient read(ClientOptions.Builder builder) {
			try {
				if (FIELD != null && FIELD.get(builder) instanceof HttpClient raw) {
					return raw;
				}
			}
			catch (ReflectiveOperationException ex) {
				// reported below
			}
			throw new IllegalStateException("Cannot read the HTTP client of this openai-java version's "
					+ "ClientOptions.Builder; build the client with ClientOptions.builder().httpClient("
					+ "openAiSdkThrottle.httpClient(raw)).maxRetries(0) instead");
		}

	}

}
