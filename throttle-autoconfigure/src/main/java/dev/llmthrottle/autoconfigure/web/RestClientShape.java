package dev.llmthrottle.autoconfigure.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpResponse;

import dev.llmthrottle.call.CallShape;
import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.MeteredInputStream;
import dev.llmthrottle.call.Reply;
import dev.llmthrottle.call.UsageMeter;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.ProtocolHeaders;

/**
 * A {@code RestClient} response as the call pipeline reads it: an error's body is read up
 * to a bound (and kept, to pass on when the pipeline gives up), a success's body passes
 * to the caller through a {@link UsageMeter} and its lease is settled when the body ends
 * or the response is closed. A transport {@link IOException} is retried.
 */
final class RestClientShape implements CallShape<ClientHttpResponse> {

	private static final int MAX_ERROR_BODY = 64 * 1024;

	/** The most of an unread success body read on close to find its usage. */
	static final int MAX_DRAIN = UsageMeter.MAX_WHOLE;

	private final Dialect dialect;

	RestClientShape(Dialect dialect) {
		this.dialect = dialect;
	}

	@Override
	public Reply reply(ClientHttpResponse response) throws IOException {
		int status = response.getStatusCode().value();
		ProtocolHeaders headers = SpringHeaders.of(response.getHeaders());
		if (status < 400) {
			return new Reply(status, headers, "");
		}
		byte[] body = LlmThrottleClientHttpRequestInterceptor.readBounded(response.getBody(), MAX_ERROR_BODY);
		return new Reply(status, headers, new String(body, StandardCharsets.UTF_8));
	}

	@Override
	public Failure failure(Throwable error) {
		return (error instanceof IOException && !(error instanceof java.io.InterruptedIOException)) ? Failure.TRANSPORT
				: Failure.OTHER;
	}

	@Override
	public ClientHttpResponse deliver(ClientHttpResponse response, Lease lease) {
		MediaType type = response.getHeaders().getContentType();
		boolean stream = type != null && type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM);
		return new MeteredResponse(response, lease,
				stream ? UsageMeter.eventStream(this.dialect) : UsageMeter.json(this.dialect));
	}

	@Override
	public ClientHttpResponse giveUp(ClientHttpResponse response, Reply reply, int attempts) {
		HttpHeaders marked = HttpHeaders.copyOf(response.getHeaders());
		marked.set(LlmThrottleAttributes.ATTEMPTS_HEADER, Integer.toString(attempts));
		return new ReadResponse(response, reply.body().getBytes(StandardCharsets.UTF_8), marked);
	}

	@Override
	public void discard(ClientHttpResponse response) {
		response.close();
	}

	@Override
	public Throwable interrupted(InterruptedException ex, boolean waitingToRetry) {
		return LlmThrottleClientHttpRequestInterceptor.interrupted(ex, waitingToRetry);
	}

	/** The status of the response it wraps; subclasses decide what the body is. */
	private abstract static class DelegatingResponse implements ClientHttpResponse {

		final ClientHttpResponse delegate;

		DelegatingResponse(ClientHttpResponse delegate) {
			this.delegate = delegate;
		}

		@Override
		public HttpStatusCode getStatusCode() throws IOException {
			return this.delegate.getStatusCode();
		}

		@Override
		public String getStatusText() throws IOException {
			return this.delegate.getStatusText();
		}

	}

	/** An error response whose (bounded) body was read to classify it. */
	private static final class ReadResponse extends DelegatingResponse {

		private final byte[] body;

		private final HttpHeaders headers;

		ReadResponse(ClientHttpResponse delegate, byte[] body, HttpHeaders headers) {
			super(delegate);
			this.body = body;
			this.headers = headers;
		}

		@Override
		public HttpHeaders getHeaders() {
			return this.headers;
		}

		@Override
		public InputStream getBody() {
			return new ByteArrayInputStream(this.body);
		}

		@Override
		public void close() {
			this.delegate.close();
		}

	}

	/**
	 * A success whose body is metered as the caller reads it
	 * ({@link MeteredInputStream}); its lease is settled at the end or on close.
	 */
	private static final class MeteredResponse extends DelegatingResponse {

		private final Lease lease;

		private final UsageMeter meter;

		private @Nullable MeteredInputStream body;

		MeteredResponse(ClientHttpResponse delegate, Lease lease, UsageMeter meter) {
			super(delegate);
			this.lease = lease;
			this.meter = meter;
		}

		@Override
		public HttpHeaders getHeaders() {
			return this.delegate.getHeaders();
		}

		@Override
		public InputStream getBody() throws IOException {
			return metered();
		}

		private synchronized MeteredInputStream metered() throws IOException {
			if (this.body == null) {
				this.body = new MeteredInputStream(this.delegate.getBody(), this.lease, this.meter, MAX_DRAIN,
						this.delegate::close);
			}
			return this.body;
		}

		/**
		 * Closes the response. A body the caller did not read (a status-only exchange) is
		 * first read through the meter, up to {@link #MAX_DRAIN} bytes, so the call still
		 * settles from its usage.
		 */
		@Override
		public void close() {
			MeteredInputStream in;
			try {
				in = metered();
			}
			catch (IOException | RuntimeException ex) {
				// no body to read: close the response and settle to the estimate
				try {
					this.delegate.close();
				}
				finally {
					this.lease.settled(null);
				}
				return;
			}
			in.closeResponse();
		}

	}

}
