package dev.llmthrottle.bench.accuracy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Plain {@code java.net.http} chat calls for the hand-written clients (HTTP/1.1, no
 * retries of its own).
 */
final class ChatHttp {

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final URI chatUri;

	ChatHttp(URI chatUri) {
		this.chatUri = chatUri;
	}

	/** Posts the call once; the body is read and dropped. */
	HttpResponse<Void> post(Call call) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(this.chatUri)
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer sk-bench-not-a-key")
			.POST(HttpRequest.BodyPublishers.ofString(call.body()))
			.build();
		return this.client.send(request, HttpResponse.BodyHandlers.discarding());
	}

	/**
	 * The wait a 429 asks for: {@code retry-after-ms}, else {@code retry-after} seconds.
	 */
	static OptionalLong hintMillis(HttpResponse<?> response) {
		try {
			OptionalLong millis = response.headers()
				.firstValue("retry-after-ms")
				.map((value) -> OptionalLong.of((long) Math.ceil(Double.parseDouble(value))))
				.orElse(OptionalLong.empty());
			if (millis.isPresent()) {
				return millis;
			}
			return response.headers()
				.firstValue("retry-after")
				.map((value) -> OptionalLong.of(Long.parseLong(value.trim()) * 1000))
				.orElse(OptionalLong.empty());
		}
		catch (NumberFormatException ex) {
			return OptionalLong.empty();
		}
	}

}
