package dev.llmthrottle.autoconfigure.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.util.ClassUtils;

import dev.llmthrottle.autoconfigure.aop.FailedAttempts.Outcome;
import dev.llmthrottle.autoconfigure.aop.ThrottledOperation.Admission;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Permit;

/**
 * Runs an {@code @LlmThrottled} method inside an admission. Blocking methods park the caller in
 * {@link dev.llmthrottle.core.admission.Partition#acquire}; {@code CompletionStage} methods are run by
 * {@link CompletionStageCall} when the asynchronous admission is granted; reactive return types are handled by
 * {@link ReactorThrottling}, loaded only when Reactor is on the class path.
 *
 * <p>
 * When the method fails with an exception that carries the provider's response (an HTTP client's or an SDK's),
 * the failure is fed back and its verdict followed as the HTTP filters do ({@link FailedAttempts}): a 429 cools
 * the partition down for every caller, and a retry releases the permit, waits, is admitted again and invokes the
 * method again (through a fresh clone of the invocation, so that the rest of the advice chain runs again too).
 * Otherwise the method's own exception is passed on unchanged. On every path each permit is released exactly once.
 * A call made while the same thread already holds a permit of the same partition (an annotated method calling
 * another) is neither admitted nor retried twice: the outer call does both.
 */
final class LlmThrottledInterceptor implements MethodInterceptor {

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
			LlmThrottledInterceptor.class.getClassLoader());

	private final ThrottledOperationSource operations;

	private final Supplier<CurrentAdmission> currentAdmission;

	private final Supplier<TimeSource> time;

	private final FailedAttempts failures;

	private final ReactorThrottling reactor;

	LlmThrottledInterceptor(ThrottledOperationSource operations, Supplier<CurrentAdmission> currentAdmission,
			Supplier<TimeSource> time, FailedAttempts failures) {
		this.operations = operations;
		this.currentAdmission = currentAdmission;
		this.time = time;
		this.failures = failures;
		this.reactor = REACTOR_PRESENT ? new ReactorThrottling(currentAdmission, time, failures) : null;
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
		return invokeBlocking(operation, invocation);
	}

	@SuppressWarnings("try") // the scope is only closed
	private Object invokeBlocking(ThrottledOperation operation, MethodInvocation invocation) throws Throwable {
		Admission admission = operation.admission(invocation.getArguments());
		CurrentAdmission current = this.currentAdmission.get();
		if (isHeld(current.get(), admission)) {
			return invocation.proceed();
		}
		TimeSource time = this.time.get();
		long startedAt = time.nanoTime();
		Throwable previous = null;
		for (int attempt = 1;; attempt++) {
			Permit permit = acquire(operation, admission, previous);
			Object result;
			try (CurrentAdmission.Scope scope = current.enter(permit)) {
				result = once(invocation).proceed();
			}
			catch (Throwable ex) {
				Outcome outcome = isRetriable(invocation) ? this.failures.onFailure(operation.provider(), permit, ex,
						attempt, elapsed(time, startedAt)) : Outcome.passOn(ex);
				permit.release(outcome.actual());
				if (!outcome.retries()) {
					throw outcome.error();
				}
				pause(operation, time, outcome.retryAfter(), ex);
				previous = ex;
				continue;
			}
			// It returned: it was sent, keep the estimate.
			permit.release(null);
			return result;
		}
	}

	private static Permit acquire(ThrottledOperation operation, Admission admission, Throwable previous) {
		try {
			return admission.partition().acquire(admission.cost());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw FailedAttempts.suppressing(new AdmissionInterruptedException(operation.provider(), ex), previous);
		}
		catch (RuntimeException ex) {
			throw FailedAttempts.suppressing(ex, previous);
		}
	}

	/** Parks the calling thread for {@code delay} on the engine's time source, interruptibly. */
	private static void pause(ThrottledOperation operation, TimeSource time, Duration delay, Throwable failure) {
		if (delay.isZero() || delay.isNegative()) {
			return;
		}
		CompletableFuture<Void> wake = new CompletableFuture<>();
		TimeSource.Cancellable task = time.schedule(() -> wake.complete(null), delay.toNanos());
		try {
			wake.get();
		}
		catch (InterruptedException ex) {
			task.cancel();
			Thread.currentThread().interrupt();
			throw FailedAttempts.suppressing(new AdmissionInterruptedException(operation.provider(), "Provider '"
					+ operation.provider() + "': interrupted while waiting to retry a failed call", ex), failure);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause()); // never completed exceptionally
		}
	}

	private Object invokeAsync(ThrottledOperation operation, MethodInvocation invocation) throws Throwable {
		Admission admission;
		try {
			admission = operation.admission(invocation.getArguments());
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		CurrentAdmission current = this.currentAdmission.get();
		if (isHeld(current.get(), admission)) {
			return invocation.proceed();
		}
		return new CompletionStageCall(operation, invocation, admission, current, this.time.get(), this.failures)
			.start();
	}

	private static boolean isHeld(Permit held, Admission admission) {
		return held != null && !held.isReleased() && held.partition() == admission.partition();
	}

	/** Whether the invocation can be run more than once. */
	static boolean isRetriable(MethodInvocation invocation) {
		return invocation instanceof ProxyMethodInvocation;
	}

	/**
	 * An invocation to proceed with once: a clone of the untouched original (which may be cloned again for a retry),
	 * or the original itself when it cannot be cloned.
	 */
	static MethodInvocation once(MethodInvocation invocation) {
		return (invocation instanceof ProxyMethodInvocation proxied) ? proxied.invocableClone() : invocation;
	}

	static Duration elapsed(TimeSource time, long startedAt) {
		return Duration.ofNanos(Math.max(0, time.nanoTime() - startedAt));
	}

	static Throwable unwrap(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

}
