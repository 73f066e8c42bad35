package dev.llmthrottle.autoconfigure.aop;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.util.ClassUtils;

import dev.llmthrottle.autoconfigure.aop.ThrottledOperation.Admission;
import dev.llmthrottle.call.AsyncCall;
import dev.llmthrottle.call.BlockingCall;
import dev.llmthrottle.call.CallPipeline;
import dev.llmthrottle.call.Lease;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Permit;

/**
 * Runs an {@code @LlmThrottled} method through the call pipeline: blocking methods
 * through {@link BlockingCall}, {@code CompletionStage} methods through
 * {@link AsyncCall}, reactive return types through {@link ReactiveInvoker} (loaded only
 * when Reactor is present). Each attempt invokes a fresh clone of the invocation under
 * its permit (visible to HTTP adapters underneath through {@link CurrentAdmission}), so
 * that the rest of the advice chain runs again for a retry. A call made while the same
 * thread already holds a permit of the same partition is neither admitted nor retried
 * twice: the outer call does both.
 */
final class LlmThrottledInterceptor implements MethodInterceptor {

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
			LlmThrottledInterceptor.class.getClassLoader());

	private final ThrottledOperationSource operations;

	private final Supplier<CurrentAdmission> currentAdmission;

	private final Supplier<TimeSource> time;

	private final FailedAttempts failures;

	private final ReactiveInvoker reactor;

	LlmThrottledInterceptor(ThrottledOperationSource operations, Supplier<CurrentAdmission> currentAdmission,
			Supplier<TimeSource> time, FailedAttempts failures) {
		this.operations = operations;
		this.currentAdmission = currentAdmission;
		this.time = time;
		this.failures = failures;
		this.reactor = REACTOR_PRESENT ? new ReactiveInvoker(this) : null;
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		Method method = invocation.getMethod();
		if (method.getDeclaringClass() == Object.class) {
			return invocation.proceed();
		}
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopProxyUtils.ultimateTargetClass(target)
				: method.getDeclaringClass();
		ThrottledOperation operation = this.operations.operation(method, targetClass);
		if (operation == null) {
			return invocation.proceed();
		}
		Class<?> returnType = method.getReturnType();
		if (ThrottledOperationSource.isCompletionStage(returnType)) {
			return invokeAsync(operation, invocation);
		}
		if (this.reactor != null) {
			ReactiveAdapter adapter = ReactiveAdapterRegistry.getSharedInstance().getAdapter(returnType);
			if (adapter != null) {
				return this.reactor.invoke(operation, invocation, adapter);
			}
		}
		Admission admission = operation.admission(invocation.getArguments());
		Permit held = this.currentAdmission.get().find(admission.partition());
		if (held != null) {
			Object value = invocation.proceed();
			reportReturned(held, value);
			return value;
		}
		return BlockingCall.run(pipeline(operation, admission, null, invocation),
				(lease) -> proceed(invocation, lease));
	}

	private Object invokeAsync(ThrottledOperation operation, MethodInvocation invocation) throws Throwable {
		Admission admission;
		try {
			admission = operation.admission(invocation.getArguments());
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		if (this.currentAdmission.get().find(admission.partition()) != null) {
			return invocation.proceed();
		}
		return AsyncCall.run(pipeline(operation, admission, null, invocation),
				(lease) -> (CompletionStage<Object>) proceed(invocation, lease), ForkJoinPool.commonPool());
	}

	CallPipeline<Object> pipeline(ThrottledOperation operation, Admission admission, Permit outer,
			MethodInvocation invocation) {
		return this.failures.pipeline(operation, admission, outer, this.time.get(),
				invocation instanceof ProxyMethodInvocation);
	}

	/**
	 * A method nested in another of the same partition returned {@code value}: its usage,
	 * when it carries one, is reported to the outer permit unless an HTTP adapter
	 * underneath already reported one (the outer method may return something else).
	 */
	private void reportReturned(Permit held, Object value) {
		if (held.reportedActual() == null) {
			Cost actual = returned().cost(value);
			if (actual != null) {
				held.reportActual(actual);
			}
		}
	}

	/** The readers of the usage a returned value carries. */
	ReturnedUsages returned() {
		return this.failures.returned();
	}

	/** Invokes the method once, under the attempt's permit. */
	@SuppressWarnings("try") // the scope is only closed
	Object proceed(MethodInvocation invocation, Lease lease) throws Throwable {
		try (CurrentAdmission.Scope scope = (lease != null) ? this.currentAdmission.get().enter(lease.permit())
				: null) {
			return once(invocation).proceed();
		}
	}

	/**
	 * An invocation to proceed with once: a clone of the untouched original (which may be
	 * cloned again for a retry), or the original itself when it cannot be cloned.
	 */
	static MethodInvocation once(MethodInvocation invocation) {
		return (invocation instanceof ProxyMethodInvocation proxied) ? proxied.invocableClone() : invocation;
	}

}
