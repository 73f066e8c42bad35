package dev.llmthrottle.autoconfigure.web;

import java.time.Duration;
import java.util.Optional;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.exchange.CallVerdict;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.exchange.SseDataReader;
import dev.llmthrottle.protocol.tokens.StreamUsageTracker;
import dev.llmthrottle.protocol.tokens.UsageExtractor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * Throttles {@code WebClient} calls to a configured provider: admits each attempt (unless an annotated method
 * already did), feeds every response's rate-limit headers back, turns 429s into a partition-wide cooldown, retries
 * what is worth retrying through admission again, and settles the estimate from the response's usage (the final
 * usage event for a stream). Never blocks: waits are delayed subscriptions.
 */
public final class LlmThrottleExchangeFilterFunction implements ExchangeFilterFunction {

	private final LlmProviders providers;

	private final ResponseFeedback feedback;

	private final CostEstimator costs;

	private final TimeSource time;

	private final CurrentAdmission currentAdmission;

	/** A filter that sees outer admissions only through the Reactor context. */
	public LlmThrottleExchangeFilterFunction(LlmProviders providers, ResponseFeedback feedback, CostEstimator costs,
			TimeSource time) {
		this(providers, feedback, costs, time, new CurrentAdmission());
	}

	/**
	 * A filter that also sees the admission of the subscribing thread (a blocking annotated method calling
	 * {@code block()}).
	 */
	public LlmThrottleExchangeFilterFunction(LlmProviders providers, ResponseFeedback feedback, CostEstimator costs,
			TimeSource time, CurrentAdmission currentAdmission) {
		this.providers = providers;
		this.feedback = feedback;
		this.costs = costs;
		this.time = time;
		this.currentAdmission = currentAdmission;
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		Optional<LlmProvider> match = this.providers.match(request.url());
		if (match.isEmpty()) {
			return next.exchange(request);
		}
		LlmProvider provider = match.get();
		return Mono.deferContextual((context) -> {
			Permit outer = context.getOrDefault(CurrentAdmission.CONTEXT_KEY, null);
			if (outer == null) {
				outer = this.currentAdmission.get();
			}
			boolean admittedOutside = outer != null && outer.provider().equals(provider.name()) && !outer.isReleased();
			Partition partition = admittedOutside ? outer.partition()
					: provider.throttler().partition(CredentialKeys.rawKey(request.headers()));
			Call call = new Call(provider, partition, request, next, estimate(provider, request),
					admittedOutside ? outer : null, this.time.nanoTime());
			return call.attempt(1);
		});
	}

	private Cost estimate(LlmProvider provider, ClientRequest request) {
		Optional<Object> cost = request.attribute(LlmThrottleAttributes.COST);
		if (cost.isPresent() && cost.get() instanceof Cost given) {
			return given;
		}
		Optional<Object> body = request.attribute(LlmThrottleAttributes.BODY);
		if (body.isPresent() && body.get() instanceof String text) {
			return this.costs.estimate(provider, text);
		}
		if (body.isPresent() && body.get() instanceof byte[] bytes) {
			return this.costs.estimate(provider, bytes);
		}
		return this.costs.defaultCost(provider);
	}

	/** One logical call over its attempts. */
	private final class Call {

		private final LlmProvider provider;

		private final Partition partition;

		private final ClientRequest request;

		private final ExchangeFunction next;

		private final Cost cost;

		private final Permit outer;

		private final boolean admittedOutside;

		private final long startedAt;

		Call(LlmProvider provider, Partition partition, ClientRequest request, ExchangeFunction next, Cost cost,
				Permit outer, long startedAt) {
			this.provider = provider;
			this.partition = partition;
			this.request = request;
			this.next = next;
			this.cost = cost;
			this.outer = outer;
			this.admittedOutside = outer != null;
			this.startedAt = startedAt;
		}

		Mono<ClientResponse> attempt(int attempt) {
			if (this.admittedOutside) {
				Mono<Void> room = (attempt > 1) ? chargeRetry() : Mono.empty();
				return room.then(Mono.defer(() -> send(PermitHolder.underOuter(this.outer), attempt)));
			}
			return ReactiveAdmission.acquire(this.partition, this.cost)
				.flatMap((permit) -> send(PermitHolder.owning(permit), attempt));
		}

		/**
		 * A retry under an annotated method's permit is a request too and keeps to the rates: it waits until one
		 * more request fits, then takes it (no second concurrency slot: the method holds one).
		 */
		private Mono<Void> chargeRetry() {
			return Mono.defer(() -> {
				Duration wait = this.partition.tryCharge(Cost.oneRequest());
				return wait.isZero() ? Mono.<Void>empty() : engineDelay(wait).then(chargeRetry());
			});
		}

		/** A delay on the engine's clock, the one the partition's waits are measured on. */
		private Mono<Void> engineDelay(Duration wait) {
			return Mono.create((sink) -> {
				TimeSource.Cancellable task = LlmThrottleExchangeFilterFunction.this.time.schedule(sink::success,
						wait.toNanos());
				sink.onCancel(task::cancel);
			});
		}

		private Mono<ClientResponse> send(PermitHolder holder, int attempt) {
			return this.next.exchange(this.request)
				.onErrorResume(WebClientRequestException.class, (error) -> {
					holder.release(null);
					Optional<Duration> backoff = LlmThrottleExchangeFilterFunction.this.feedback
						.onTransportError(this.provider, this.partition, attempt, elapsed());
					return backoff.map((delay) -> Mono.delay(delay).then(attempt(attempt + 1)))
						.orElseGet(() -> Mono.error(error));
				})
				.flatMap((response) -> inspect(response, holder, attempt))
				.doOnCancel(() -> holder.release(null));
		}

		private Mono<ClientResponse> inspect(ClientResponse response, PermitHolder holder, int attempt) {
			int status = response.statusCode().value();
			if (status < 400) {
				LlmThrottleExchangeFilterFunction.this.feedback.onSuccess(this.provider, this.partition,
						HttpHeadersAdapter.of(response.headers().asHttpHeaders()));
				return isEventStream(response) ? Mono.just(trackStream(response, holder)) : settle(response, holder);
			}
			return response.bodyToMono(String.class).defaultIfEmpty("").flatMap((body) -> {
				// feedback first: the cooldown must be in force before the released slot lets a waiter in
				CallVerdict verdict = LlmThrottleExchangeFilterFunction.this.feedback.onError(this.provider,
						this.partition, status, HttpHeadersAdapter.of(response.headers().asHttpHeaders()), body,
						attempt, elapsed());
				holder.releaseRefused();
				if (verdict instanceof CallVerdict.Retry retry) {
					Duration delay = retry.delay();
					if (this.admittedOutside) {
						Duration cooldown = this.partition.cooldownRemaining();
						delay = (cooldown.compareTo(delay) > 0) ? cooldown : delay;
					}
					else if (retry.cooldown()) {
						delay = Duration.ZERO; // admission waits out the partition's cooldown
					}
					return delay.isZero() ? attempt(attempt + 1) : Mono.delay(delay).then(Mono.defer(() -> attempt(attempt + 1)));
				}
				if (verdict instanceof CallVerdict.Fail fail) {
					return Mono.error(fail.error());
				}
				return Mono.just(response.mutate()
					.header(LlmThrottleAttributes.ATTEMPTS_HEADER, Integer.toString(attempt))
					.body(body)
					.build());
			});
		}

		private Mono<ClientResponse> settle(ClientResponse response, PermitHolder holder) {
			return DataBufferUtils.join(response.body(BodyExtractors.toDataBuffers())).map((joined) -> {
				byte[] bytes = new byte[joined.readableByteCount()];
				joined.read(bytes);
				DataBufferUtils.release(joined);
				holder.release(UsageExtractor.extract(bytes, this.provider.dialect()).map(CostEstimator::actual).orElse(null));
				return response.mutate()
					.body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes)))
					.build();
			}).switchIfEmpty(Mono.fromSupplier(() -> {
				holder.release(null);
				return response.mutate().body(Flux.empty()).build();
			})).doOnError((error) -> holder.release(null));
		}

		private ClientResponse trackStream(ClientResponse response, PermitHolder holder) {
			StreamUsageTracker tracker = new StreamUsageTracker(this.provider.dialect());
			SseDataReader reader = new SseDataReader(tracker::onData);
			return response.mutate().body((Flux<DataBuffer> body) -> body.doOnNext((buffer) -> {
				byte[] chunk = new byte[buffer.readableByteCount()];
				buffer.toByteBuffer(buffer.readPosition(), java.nio.ByteBuffer.wrap(chunk), 0, chunk.length);
				reader.feed(chunk);
			}).doFinally((signal) -> {
				reader.finish();
				// a complete stream settles from its final usage; an interrupted one from what it reported so far
				// (Anthropic counts output as it is produced), else the estimate stands
				holder.release(((signal == SignalType.ON_COMPLETE) ? tracker.finalUsage() : tracker.partialUsage())
					.map(CostEstimator::actual)
					.orElse(null));
			})).build();
		}

		private boolean isEventStream(ClientResponse response) {
			return response.headers()
				.contentType()
				.map((type) -> type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM))
				.orElse(false);
		}

		private Duration elapsed() {
			return Duration.ofNanos(LlmThrottleExchangeFilterFunction.this.time.nanoTime() - this.startedAt);
		}

	}

}
