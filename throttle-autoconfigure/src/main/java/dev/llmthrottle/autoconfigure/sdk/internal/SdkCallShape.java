package dev.llmthrottle.autoconfigure.sdk.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import dev.llmthrottle.call.CallInterruptedException;
import dev.llmthrottle.call.CallShape;
import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.MeteredInputStream;
import dev.llmthrottle.call.Reply;
import dev.llmthrottle.call.UsageMeter;
import dev.llmthrottle.protocol.Dialect;

/**
 * An SDK's raw HTTP response as the call pipeline reads it: an error's body is read up to
 * a bound (and handed back to the SDK when the pipeline gives up, so that the SDK builds
 * its usual exception from it), a success's body passes to the SDK through a
 * {@link MeteredInputStream}. A transport failure (an {@link IOException} or the SDK's
 * own I/O exception) is retried as the provider's policy allows. One instance per call.
 *
 * <p>
 * A success delivered after an asynchronous caller cancelled is closed by the call driver
 * through {@link #discard} (its lease is settled on close).
 *
 * @param <R> the SDK's response type
 */
public final class SdkCallShape<R> implements CallShape<R> {

	private static final int MAX_ERROR_BODY = 64 * 1024;

	private static final String[] SDK_IO_EXCEPTIONS = { "com.openai.errors.OpenAIIoException",
			"com.anthropic.errors.AnthropicIoException" };

	private final SdkResponses<R> responses;

	private final Dialect dialect;

	private final String provider;

	public SdkCallShape(SdkResponses<R> responses, Dialect dialect, String provider) {
		this.responses = responses;
		this.dialect = dialect;
		this.provider = provider;
	}

	@Override
	public Reply reply(R response) throws IOException {
		int status = this.responses.status(response);
		if (status < 400) {
			return new Reply(status, this.responses.headers(response), "");
		}
		byte[] body;
		try (InputStream in = this.responses.body(response)) {
			body = in.readNBytes(MAX_ERROR_BODY);
		}
		return new Reply(status, this.responses.headers(response), new String(body, StandardCharsets.UTF_8));
	}

	@Override
	public Failure failure(Throwable error) {
		Throwable cause = unwrap(error);
		if (isInterrupted(cause) || hasInterruptedCause(cause)) {
			return Failure.OTHER;
		}
		if (cause instanceof IOException || isSdkIoException(cause)) {
			return Failure.TRANSPORT;
		}
		return Failure.OTHER;
	}

	@Override
	public R deliver(R response, Lease lease) {
		String type = this.responses.headers(response).first("content-type").orElse("");
		boolean stream = type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
		UsageMeter meter = stream ? UsageMeter.eventStream(this.dialect) : UsageMeter.json(this.dialect);
		// an event stream closed early is not drained (it may run for minutes)
		MeteredInputStream body = new MeteredInputStream(this.responses.body(response), lease, meter,
				stream ? 0 : UsageMeter.MAX_WHOLE, () -> this.responses.close(response));
		return this.responses.metered(response, body);
	}

	@Override
	public R giveUp(R response, Reply reply, int attempts) {
		return this.responses.withBody(response, reply.body().getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public void discard(R response) {
		this.responses.close(response);
	}

	@Override
	public Throwable interrupted(InterruptedException ex, boolean waitingToRetry) {
		return new CallInterruptedException(this.provider, waitingToRetry, ex);
	}

	static Throwable unwrap(Throwable error) {
		Throwable current = error;
		while ((current instanceof CompletionException || current instanceof ExecutionException)
				&& current.getCause() != null) {
			current = current.getCause();
		}
		return current;
	}

	private static boolean hasInterruptedCause(Throwable error) {
		for (Throwable cause = error.getCause(); cause != null && cause != error; cause = cause.getCause()) {
			if (isInterrupted(cause)) {
				return true;
			}
		}
		return false;
	}

	/** An interrupt, not a timeout (which is an {@link InterruptedIOException} too). */
	private static boolean isInterrupted(Throwable error) {
		return error instanceof InterruptedException
				|| (error instanceof InterruptedIOException && !(error instanceof SocketTimeoutException));
	}

	private static boolean isSdkIoException(Throwable error) {
		for (Class<?> type = error.getClass(); type != null; type = type.getSuperclass()) {
			for (String name : SDK_IO_EXCEPTIONS) {
				if (name.equals(type.getName())) {
					return true;
				}
			}
		}
		return false;
	}

}
