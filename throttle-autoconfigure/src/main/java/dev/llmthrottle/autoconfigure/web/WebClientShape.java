package dev.llmthrottle.autoconfigure.web;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import dev.llmthrottle.call.CallShape;
import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.Reply;
import dev.llmthrottle.call.UsageMeter;
import dev.llmthrottle.protocol.Dialect;

/**
 * A {@code WebClient} response as the call pipeline reads it. An error's body is read up
 * to a bound before the pipeline sees it (a read that fails fails the attempt); a
 * success's body flows to the caller through a {@link UsageMeter}, and its lease is
 * settled when the body ends, fails or is cancelled (WebClient drains an unread body, so
 * that happens too). A {@link WebClientRequestException} is a transport failure.
 */
final class WebClientShape implements CallShape<WebClientShape.Answer> {

	private static final int MAX_ERROR_BODY = 64 * 1024;

	private final Dialect dialect;

	WebClientShape(Dialect dialect) {
		this.dialect = dialect;
	}

	/** Sends the request; an error's body is read (bounded) into the answer. */
	static Mono<Answer> exchange(ExchangeFunction next, ClientRequest request) {
		return next.exchange(request).flatMap((response) -> {
			if (response.statusCode().value() < 400) {
				return Mono.just(new Answer(response, ""));
			}
			Flux<DataBuffer> body = DataBufferUtils.takeUntilByteCount(response.body(BodyExtractors.toDataBuffers()),
					MAX_ERROR_BODY);
			return DataBufferUtils.join(body).map((joined) -> {
				try {
					return joined.toString(StandardCharsets.UTF_8);
				}
				finally {
					DataBufferUtils.release(joined);
				}
			}).defaultIfEmpty("").map((text) -> new Answer(response, text));
		});
	}

	@Override
	public Reply reply(Answer answer) {
		ClientResponse response = answer.response();
		return new Reply(response.statusCode().value(), SpringHeaders.of(response.headers().asHttpHeaders()),
				answer.errorBody());
	}

	@Override
	public Failure failure(Throwable error) {
		return (error instanceof WebClientRequestException) ? Failure.TRANSPORT : Failure.OTHER;
	}

	@Override
	public Answer deliver(Answer answer, Lease lease) {
		ClientResponse response = answer.response();
		boolean stream = response.headers()
			.contentType()
			.map((type) -> type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM))
			.orElse(false);
		UsageMeter meter = stream ? UsageMeter.eventStream(this.dialect) : UsageMeter.json(this.dialect);
		ClientResponse metered = response.mutate().body((Flux<DataBuffer> body) -> body.doOnNext((buffer) -> {
			byte[] chunk = new byte[buffer.readableByteCount()];
			buffer.toByteBuffer(buffer.readPosition(), ByteBuffer.wrap(chunk), 0, chunk.length);
			meter.feed(chunk, 0, chunk.length);
			if (meter.isComplete()) {
				settle(lease, meter, true); // the last event is in: the call is over even
											// if the body lingers
			}
		})
			.doOnComplete(() -> settle(lease, meter, true))
			.doOnError((error) -> settle(lease, meter, false))
			.doOnCancel(() -> settle(lease, meter, false))).build();
		return new Answer(metered, "");
	}

	/**
	 * Settles before the end reaches the caller (so a caller that sees the body end sees
	 * the permit released): a complete body from its usage, a cut one from what it
	 * reported so far, else the estimate.
	 */
	private static void settle(Lease lease, UsageMeter meter, boolean complete) {
		try {
			lease.settled(meter.finish(complete).orElse(null));
		}
		finally {
			lease.settled(null); // no-op unless reading the usage failed
		}
	}

	@Override
	public Answer giveUp(Answer answer, Reply reply, int attempts) {
		return new Answer(answer.response()
			.mutate()
			.header(LlmThrottleAttributes.ATTEMPTS_HEADER, Integer.toString(attempts))
			.body(answer.errorBody())
			.build(), answer.errorBody());
	}

	@Override
	public Throwable interrupted(InterruptedException ex, boolean waitingToRetry) {
		return new IllegalStateException("a reactive call does not park a thread", ex);
	}

	/** A response with the (bounded) body of an error, already read. */
	record Answer(ClientResponse response, String errorBody) {
	}

}
