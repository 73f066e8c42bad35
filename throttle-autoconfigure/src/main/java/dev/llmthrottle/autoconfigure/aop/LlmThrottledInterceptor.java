package dev.llmthrottle.autoconfigure.aop;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.util.ClassUtils;

import dev.llmthrottle.autoconfigure.aop.ThrottledOperation.Admission;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Permit;

/**
 * Runs an {@code @LlmThrottled} method inside an admission. Blocking methods park the caller in
 * {@link dev.llmthrottle.core.admission.Partition#acquire}; {@code CompletionStage} methods are invoked when the
 * asynchronous admission is granted; reactive return types are handled by {@link ReactorThrottling}, loaded only
 * when Reactor is on the class path. On every path the permit is released exactly once after the call (as sent,
 * keeping the estimate) and the method's own exception is passed on unchanged. A call made while the same thread
 * already holds a permit of the same partition (an annotated method calling another) is not admitted twice.
 */
final class LlmThrottledInterceptor implements MethodInterceptor {

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
			LlmThrottledInterceptor.class.getClassLoader());

	private final ThrottledOperationSource operations;

	private final Supplier<CurrentAdmission> currentAdmission;

	private final ReactorThrottling reactor;

	LlmThrottledInterceptor(ThrottledOperationSource operations, Supplier<CurrentAdmission> currentAdmission) {
		this.operations = operations;
		this.currentAdmission = currentAdmission;
		this.reactor = REACTOR_PRESENT ? new ReactorThrottling(currentAdmission) : null;
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
		Permit permit;
		try {
			permit = admission.partition().acquire(admission.cost());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AdmissionInterruptedException(operation.provider(), ex);
		}
		try (CurrentAdmission.Scope scope = current.enter(permit)) {
			return invocation.proceed();
		}
		finally {
			// Whether it returned or threw, the call may have been sent: keep the estimate.
			permit.release(null);
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
		CompletableFuture<Permit> admitting = admission.partition().acquireAsync(admission.cost());
		CompletableFuture<Object> result = new CompletableFuture<>();
		// Cancelling the caller's future while it waits withdraws it from the queue.
		result.whenComplete((value, ex) -> {
			if (result.isCancelled()) {
				admitting.cancel(false);
			}
		});
		BiConsumer<Permit, Throwable> onAdmission = (permit, failure) -> {
			if (failure != null) {
				result.completeExceptionally(unwrap(failure));
			}
			else if (result.isDone()) {
				permit.abandon(); // the caller cancelled as the permit was granted
			}
			else {
				invokeAdmitted(invocation, permit, current, result);
			}
		};
		if (admitting.isDone()) {
			admitting.whenComplete(onAdmission);
		}
		else {
			// Granted by whoever frees room (another caller or the throttle's timer): run the method elsewhere.
			admitting.whenCompleteAsync(onAdmission);
		}
		return result;
	}

	@SuppressWarnings("try") // the scope is only closed
	private static void invokeAdmitted(MethodInvocation invocation, Permit permit, CurrentAdmission current,
			CompletableFuture<Object> result) {
		CompletionStage<?> stage;
		try (CurrentAdmission.Scope scope = current.enter(permit)) {
			stage = (CompletionStage<?>) invocation.proceed();
		}
		catch (Throwable ex) {
			permit.release(null);
			result.completeExceptionally(ex);
			return;
		}
		if (stage == null) {
			permit.release(null);
			result.complete(null);
			return;
		}
		stage.whenComplete((value, ex) -> {
			permit.release(null);
			if (ex != null) {
				result.completeExceptionally(ex);
			}
			else {
				result.complete(value);
			}
		});
	}

	private static boolean isHeld(Permit held, Admission admission) {
		return held != null && !held.isReleased() && held.partition() == admission.partition();
	}

	static Throwable unwrap(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

}
