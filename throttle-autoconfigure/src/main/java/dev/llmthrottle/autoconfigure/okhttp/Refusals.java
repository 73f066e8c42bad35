package dev.llmthrottle.autoconfigure.okhttp;

import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

import dev.llmthrottle.exchange.LlmProviderException;

/**
 * Answers a call refused on an OkHttp dispatcher thread with a response rather than an
 * exception: the provider's status for a provider refusal it cannot retry, 429 for a
 * refusal of ours (the wait would exceed max-wait, the queue is full, the request can
 * never fit, a daily quota is spent), always with {@code X-Should-Retry: false} so that
 * the SDK above surfaces it at once, and {@value #REFUSED_HEADER} naming the exception.
 * The body says what happened in the providers' error format; it never holds a key.
 */
final class Refusals {

	/** Header naming the refusal (the exception's simple class name). */
	static final String REFUSED_HEADER = "X-Llm-Throttle-Refused";

	private static final MediaType JSON = MediaType.get("application/json");

	private Refusals() {
	}

	static Response response(Request request, RuntimeException refusal) {
		int status = (refusal instanceof LlmProviderException provider && provider.status() >= 400) ? provider.status()
				: 429;
		String message = String.valueOf(refusal.getMessage());
		String body = "{\"error\":{\"type\":\"llm_throttle_refused\",\"code\":\"" + refusal.getClass().getSimpleName()
				+ "\",\"message\":\"" + escape(message) + "\"}}";
		return new Response.Builder().request(request)
			.protocol(Protocol.HTTP_1_1)
			.code(status)
			.message("Refused by llm-throttle")
			.header(OkHttpShape.SHOULD_RETRY_HEADER, "false")
			.header(REFUSED_HEADER, refusal.getClass().getSimpleName())
			.body(ResponseBody.create(body, JSON))
			.build();
	}

	private static String escape(String text) {
		StringBuilder out = new StringBuilder(text.length() + 16);
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		return out.toString();
	}

}
