package dev.llmthrottle.autoconfigure.web;

import java.util.Optional;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

import dev.llmthrottle.call.CallPipeline;
import dev.llmthrottle.call.reactor.ReactorCall;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * Throttles {@code WebClient} calls to a configured provider by running each through the
 * Reactor driver of the call pipeline ({@link ReactorCall}): admitted on its key's
 * partition (or under an outer admission of that same partition, from the Reactor context
 * or the subscribing thread), the responses read by {@link WebClientShape}. Never blocks;
 * whatever follows a wait runs on Reactor's parallel scheduler.
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
	 * A filter that also sees the admission of the subscribing thread (a blocking
	 * annotated method calling {@code block()}).
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
			Partition partition = provider.throttler().partition(CredentialKeys.rawKey(request.headers()));
			Permit outer = CurrentAdmission.ofPartition(context.getOrDefault(CurrentAdmission.CONTEXT_KEY, null),
					partition);
			if (outer == null) {
				outer = this.currentAdmission.find(partition);
			}
			CallPipeline<WebClientShape.Answer> call = new CallPipeline<>(this.feedback, this.time, provider, partition,
					estimate(provider, request),
					LlmThrottleAttributes.priority(request.attribute(LlmThrottleAttributes.PRIORITY).orElse(null)),
					outer, new WebClientShape(provider.dialect()));
			return ReactorCall.mono(call, (lease) -> WebClientShape.exchange(next, request), Schedulers.parallel())
				.map(WebClientShape.Answer::response);
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

}
