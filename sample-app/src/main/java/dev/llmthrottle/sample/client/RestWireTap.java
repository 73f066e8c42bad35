package dev.llmthrottle.sample.client;

import java.io.IOException;

import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * The {@link WireTap} of the blocking {@code RestClient}: records every attempt of the
 * call traced on the calling thread ({@link #trace}), the starter interceptor's retries
 * included, since {@link ChatClient} adds it after the starter's interceptor (innermost).
 */
final class RestWireTap implements ClientHttpRequestInterceptor {

	private final ThreadLocal<CallTrace> current = new ThreadLocal<>();

	/** Runs {@code call} with its attempts recorded in {@code trace}. */
	<T> T trace(CallTrace trace, java.util.function.Supplier<T> call) {
		CallTrace previous = this.current.get();
		this.current.set(trace);
		try {
			return call.get();
		}
		finally {
			if (previous != null) {
				this.current.set(previous);
			}
			else {
				this.current.remove();
			}
		}
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		CallTrace trace = this.current.get();
		if (trace == null) {
			return execution.execute(request, body);
		}
		CallTrace.Attempt attempt = trace.start();
		ClientHttpResponse response;
		try {
			response = execution.execute(request, body);
		}
		catch (IOException | RuntimeException ex) {
			attempt.failed();
			throw ex;
		}
		attempt.responded(response.getStatusCode().value());
		attempt.ended();
		return response;
	}

}
