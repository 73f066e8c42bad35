package dev.llmthrottle.autoconfigure.aop;

import org.aopalliance.intercept.MethodInvocation;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.ReactiveAdapter;

import dev.llmthrottle.autoconfigure.aop.ThrottledOperation.Admission;
import dev.llmthrottle.call.CallPipeline;
import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.reactor.ReactorCall;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Permit;

/**
 * The reactive half of {@link LlmThrottledInterceptor}, in its own class so that Reactor
 * stays optional. Each subscription runs the call pipeline's Reactor driver: a
 * {@code Mono} holds its permit until it completes, a {@code Flux} until the stream ends,
 * fails or is cancelled. The permit is put into the Reactor context under
 * {@link CurrentAdmission#CONTEXT_KEY} so that HTTP filters downstream do not admit the
 * call again. A {@code Mono}'s value and a {@code Flux}'s elements are read for the usage
 * they carry when no HTTP filter reported one ({@link ReturnedUsages}). A subscription
 * already running under a permit of the same partition is not admitted (nor retried)
 * twice.
 */
final class ReactiveInvoker {

	private final LlmThrottledInterceptor interceptor;

	ReactiveInvoker(LlmThrottledInterceptor interceptor) {
		this.interceptor = interceptor;
	}

	Object invoke(ThrottledOperation operation, MethodInvocation invocation, ReactiveAdapter adapter) {
		Object[] arguments = invocation.getArguments();
		Publisher<?> throttled;
		if (adapter.isMultiValue()) {
			throttled = Flux.deferContextual((context) -> {
				Admission admission = operation.admission(arguments);
				Permit held = CurrentAdmission.ofPartition(context.getOrDefault(CurrentAdmission.CONTEXT_KEY, null),
						admission.partition());
				CallPipeline<Object> call = this.interceptor.pipeline(operation, admission, held, invocation);
				return (held != null) ? Flux.from(send(invocation, null, adapter)) : ReactorCall.flux(call,
						(lease) -> Flux.from(send(invocation, lease, adapter)), Schedulers.parallel());
			});
		}
		else {
			throttled = Mono.deferContextual((context) -> {
				Admission admission = operation.admission(arguments);
				Permit held = CurrentAdmission.ofPartition(context.getOrDefault(CurrentAdmission.CONTEXT_KEY, null),
						admission.partition());
				CallPipeline<Object> call = this.interceptor.pipeline(operation, admission, held, invocation);
				return (held != null) ? Mono.from(send(invocation, null, adapter)) : ReactorCall.mono(call,
						(lease) -> Mono.from(send(invocation, lease, adapter)), Schedulers.parallel());
			});
		}
		return adapter.fromPublisher(throttled);
	}

	/**
	 * Invokes the method under the attempt's permit and adapts its result; the permit
	 * rides in the context.
	 */
	@SuppressWarnings("unchecked")
	private Publisher<Object> send(MethodInvocation invocation, Lease lease, ReactiveAdapter adapter) {
		Publisher<Object> result;
		try {
			Object returned = this.interceptor.proceed(invocation, lease);
			result = (returned != null) ? (Publisher<Object>) adapter.toPublisher(returned) : Mono.empty();
		}
		catch (Throwable ex) {
			result = Mono.error(ex);
		}
		if (lease == null) {
			return result;
		}
		return adapter.isMultiValue()
				? metered(Flux.from(result), lease)
					.contextWrite((ctx) -> ctx.put(CurrentAdmission.CONTEXT_KEY, lease.permit()))
				: Mono.from(result).contextWrite((ctx) -> ctx.put(CurrentAdmission.CONTEXT_KEY, lease.permit()));
	}

	/**
	 * A stream whose elements are read for the usage they carry (Spring AI's
	 * {@code ChatResponse} chunks, openai-java's {@code ChatCompletionChunk}s): when it
	 * completes and no HTTP adapter underneath reported the usage to the permit, the last
	 * usage seen is reported, for the lease's settlement that follows.
	 */
	private Flux<Object> metered(Flux<Object> stream, Lease lease) {
		ReturnedUsages returned = this.interceptor.returned();
		if (returned.isEmpty()) {
			return stream;
		}
		ReturnedUsages.StreamUsage usage = returned.new StreamUsage();
		return stream.doOnNext(usage::onElement).doOnComplete(() -> {
			Cost actual = usage.cost();
			if (actual != null && lease.permit().reportedActual() == null) {
				lease.permit().reportActual(actual);
			}
		});
	}

}
