package dev.llmthrottle.autoconfigure.aop;

import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInvocation;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.core.ReactiveAdapter;

import dev.llmthrottle.autoconfigure.aop.ThrottledOperation.Admission;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Permit;

/**
 * The reactive half of {@link LlmThrottledInterceptor}, in its own class so that Reactor stays optional: loaded only
 * when Reactor is present.
 *
 * <p>
 * Each subscription is admitted on its own, without blocking: {@link AdmissionMono} waits for the permit, then the
 * method is invoked (a fresh invocation per subscription) and its publisher subscribed with the permit in the
 * Reactor context under {@link CurrentAdmission#CONTEXT_KEY}, so that HTTP filters downstream do not admit the call
 * again. {@code usingWhen} releases the permit when the result completes, fails or is cancelled; a {@code Flux}
 * holds it until the stream ends. A subscription that already runs inside a permit of the same partition is not
 * admitted twice.
 */
final class ReactorThrottling {

	private final Supplier<CurrentAdmission> currentAdmission;

	private final Scheduler scheduler;

	ReactorThrottling(Supplier<CurrentAdmission> currentAdmission) {
		this(currentAdmission, Schedulers.parallel());
	}

	ReactorThrottling(Supplier<CurrentAdmission> currentAdmission, Scheduler scheduler) {
		this.currentAdmission = currentAdmission;
		this.scheduler = scheduler;
	}

	Object invoke(ThrottledOperation operation, MethodInvocation invocation, ReactiveAdapter adapter) {
		Object[] arguments = invocation.getArguments();
		Publisher<?> throttled;
		if (adapter.isMultiValue()) {
			throttled = Flux.deferContextual((context) -> {
				Admission admission = operation.admission(arguments);
				if (isHeld(context, admission)) {
					return Flux.from(invokeOnce(invocation, null, adapter));
				}
				return Flux.usingWhen(admit(admission),
						(permit) -> Flux.from(invokeOnce(invocation, permit, adapter)).contextWrite(
								(ctx) -> ctx.put(CurrentAdmission.CONTEXT_KEY, permit)),
						ReactorThrottling::release, (permit, error) -> release(permit), ReactorThrottling::release);
			});
		}
		else {
			throttled = Mono.deferContextual((context) -> {
				Admission admission = operation.admission(arguments);
				if (isHeld(context, admission)) {
					return Mono.from(invokeOnce(invocation, null, adapter));
				}
				return Mono.usingWhen(admit(admission),
						(permit) -> Mono.from(invokeOnce(invocation, permit, adapter)).contextWrite(
								(ctx) -> ctx.put(CurrentAdmission.CONTEXT_KEY, permit)),
						ReactorThrottling::release, (permit, error) -> release(permit), ReactorThrottling::release);
			});
		}
		return adapter.fromPublisher(throttled);
	}

	private AdmissionMono admit(Admission admission) {
		return new AdmissionMono(() -> admission.partition().acquireAsync(admission.cost()), this.scheduler);
	}

	/** Invokes the method (again, for each subscription) under {@code permit} and adapts its result. */
	@SuppressWarnings("try") // the scope is only closed
	private Publisher<?> invokeOnce(MethodInvocation invocation, Permit permit, ReactiveAdapter adapter) {
		MethodInvocation once = (invocation instanceof ProxyMethodInvocation proxied) ? proxied.invocableClone()
				: invocation;
		Object result;
		CurrentAdmission current = this.currentAdmission.get();
		try (CurrentAdmission.Scope scope = (permit != null) ? current.enter(permit) : null) {
			result = once.proceed();
		}
		catch (Throwable ex) {
			return Mono.error(ex);
		}
		return (result != null) ? adapter.toPublisher(result) : Mono.empty();
	}

	private static boolean isHeld(ContextView context, Admission admission) {
		Object held = context.getOrDefault(CurrentAdmission.CONTEXT_KEY, null);
		return held instanceof Permit permit && !permit.isReleased() && permit.partition() == admission.partition();
	}

	/** The call may have been sent on every path (complete, error, cancel while holding): keep the estimate. */
	private static Mono<Void> release(Permit permit) {
		return Mono.fromRunnable(() -> permit.release(null));
	}

}
