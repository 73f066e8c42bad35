package dev.llmthrottle.autoconfigure.okhttp;

import java.io.IOException;
import java.io.InterruptedIOException;

import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;

import dev.llmthrottle.autoconfigure.web.LlmThrottleAttributes;
import dev.llmthrottle.call.CallShape;
import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.Reply;
import dev.llmthrottle.call.UsageMeter;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.ProtocolHeaders;

/**
 * An OkHttp response as the call pipeline reads it: an error's body is peeked up to a
 * bound (the response keeps it whole, to pass on when the pipeline gives up), a success's
 * body passes to the caller through a {@link UsageMeter} ({@link MeteredBody}) whose
 * lease is settled when the body ends or is closed. What the pipeline gives up on is
 * marked {@code X-Should-Retry: false}, which the Stainless SDKs' retry loop obeys, so
 * that the retries of 429s and overloads happen once, here. A transport failure is
 * retried here unless an SDK above retries it (then each of its attempts comes back
 * through admission).
 */
final class OkHttpShape implements CallShape<Response> {

	/** The Stainless SDKs' header telling their retry loop whether to retry. */
	static final String SHOULD_RETRY_HEADER = "X-Should-Retry";

	private static final long MAX_ERROR_BODY = 64 * 1024;

	private final Dialect dialect;

	private final Call call;

	private final boolean sdkRetriesTransport;

	OkHttpShape(Dialect dialect, Call call, boolean sdkRetriesTransport) {
		this.dialect = dialect;
		this.call = call;
		this.sdkRetriesTransport = sdkRetriesTransport;
	}

	@Override
	public Reply reply(Response response) throws IOException {
		int status = response.code();
		ProtocolHeaders headers = headers(response.headers());
		if (status < 400) {
			return new Reply(status, headers, "");
		}
		return new Reply(status, headers, response.peekBody(MAX_ERROR_BODY).string());
	}

	@Override
	public Failure failure(Throwable error) {
		if (this.call.isCanceled() || this.sdkRetriesTransport || !(error instanceof IOException)
				|| error instanceof InterruptedIOException) {
			return Failure.OTHER;
		}
		return Failure.TRANSPORT;
	}

	@Override
	public Response deliver(Response response, Lease lease) {
		ResponseBody body = response.body();
		if (body == null) {
			lease.settled(null);
			return response;
		}
		MediaType type = body.contentType();
		boolean stream = type != null && "text".equals(type.type()) && "event-stream".equals(type.subtype());
		return response.newBuilder()
			.body(new MeteredBody(body, lease,
					stream ? UsageMeter.eventStream(this.dialect) : UsageMeter.json(this.dialect)))
			.build();
	}

	@Override
	public Response giveUp(Response response, Reply reply, int attempts) {
		return response.newBuilder()
			.header(SHOULD_RETRY_HEADER, "false")
			.header(LlmThrottleAttributes.ATTEMPTS_HEADER, Integer.toString(attempts))
			.build();
	}

	@Override
	public void discard(Response response) {
		response.close();
	}

	@Override
	public Throwable interrupted(InterruptedException ex, boolean waitingToRetry) {
		InterruptedIOException interrupted = new InterruptedIOException(
				waitingToRetry ? "interrupted while backing off" : "interrupted while waiting for admission");
		interrupted.initCause(ex);
		return interrupted;
	}

	static ProtocolHeaders headers(okhttp3.Headers headers) {
		ProtocolHeaders.Builder builder = ProtocolHeaders.builder();
		for (String name : headers.names()) {
			builder.add(name, headers.values(name));
		}
		return builder.build();
	}

}
