package dev.llmthrottle.sample.client;

import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * Records every HTTP attempt of a traced call ({@link CallTrace} in the Reactor context):
 * when it left, its status, when its body ended.
 *
 * <p>
 * {@link ChatClient} adds it last to a builder that the starter has already customized,
 * so it is the innermost filter, closest to the wire: it sees each attempt the starter's
 * filter makes, 429s and retries included, and not only the final response.
 */
final class WireTap implements ExchangeFilterFunction {

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		return Mono.deferContextual((context) -> {
			CallTrace trace = context.getOrDefault(CallTrace.CONTEXT_KEY, null);
			if (trace == null) {
				return next.exchange(request);
			}
			CallTrace.Attempt attempt = trace.start();
			return next.exchange(request).doOnError((error) -> attempt.failed()).map((response) -> {
				attempt.responded(response.statusCode().value());
				return response.mutate().body((body) -> body.doFinally((signal) -> attempt.ended())).build();
			});
		});
	}

}
