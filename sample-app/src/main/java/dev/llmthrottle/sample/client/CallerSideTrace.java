package dev.llmthrottle.sample.client;

import java.util.function.Supplier;

import com.openai.errors.OpenAIServiceException;

import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * Traces a call whose HTTP the sample cannot tap (a client library's own OkHttp client):
 * one attempt from the caller's side, from the call to its answer, with the status of the
 * answer or of the error. Retries inside the library are not seen (the simulator's own
 * count of 429s stays authoritative), and the attempt's latency includes any wait for
 * admission inside the library's HTTP layer.
 */
public final class CallerSideTrace {

	private CallerSideTrace() {
	}

	static <T> T call(CallTrace trace, Supplier<T> call) {
		if (trace == null) {
			return call.get();
		}
		CallTrace.Attempt attempt = trace.start();
		try {
			T result = call.get();
			attempt.responded(200);
			attempt.ended();
			return result;
		}
		catch (RuntimeException ex) {
			int status = status(ex);
			if (status > 0) {
				attempt.responded(status);
				attempt.ended();
			}
			else {
				attempt.failed();
			}
			throw ex;
		}
	}

	/**
	 * The HTTP status an exception of one of the sample's clients carries (looking
	 * through causes), 0 when none.
	 */
	public static int status(Throwable error) {
		for (Throwable current = error; current != null; current = current.getCause()) {
			if (current instanceof WebClientResponseException response) {
				return response.getStatusCode().value();
			}
			if (current instanceof RestClientResponseException response) {
				return response.getStatusCode().value();
			}
			if (current instanceof OpenAIServiceException response) {
				return response.statusCode();
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return 0;
	}

}
