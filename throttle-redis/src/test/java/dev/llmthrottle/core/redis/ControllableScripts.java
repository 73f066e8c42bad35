package dev.llmthrottle.core.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Scripts on a real Redis that a test can break: every call failing (an outage), some
 * calls failing, arguments rewritten on the way, every call or renewals held back until
 * the test lets them go.
 */
final class ControllableScripts implements RedisScripts {

	private final RedisScripts delegate;

	volatile boolean down;

	volatile Predicate<List<String>> failWhen = (args) -> false;

	volatile UnaryOperator<List<String>> rewrite = UnaryOperator.identity();

	volatile boolean holdRenewals;

	/** When set, every call is sent only once this completes (a slow Redis). */
	volatile CompletableFuture<Void> gate;

	private final List<Runnable> held = new ArrayList<>();

	ControllableScripts(RedisScripts delegate) {
		this.delegate = delegate;
	}

	@Override
	public CompletableFuture<List<Object>> eval(LuaScript script, List<String> keys, List<String> args) {
		if (this.down || this.failWhen.test(args)) {
			return CompletableFuture.failedFuture(new IllegalStateException("test outage"));
		}
		List<String> sent = this.rewrite.apply(args);
		if (this.holdRenewals && "renew".equals(args.get(0))) {
			CompletableFuture<List<Object>> reply = new CompletableFuture<>();
			synchronized (this.held) {
				this.held.add(() -> this.delegate.eval(script, keys, sent).whenComplete((value, failure) -> {
					if (failure != null) {
						reply.completeExceptionally(failure);
					}
					else {
						reply.complete(value);
					}
				}));
			}
			return reply;
		}
		CompletableFuture<Void> slow = this.gate;
		if (slow != null) {
			return slow.thenCompose((ignored) -> this.delegate.eval(script, keys, sent));
		}
		return this.delegate.eval(script, keys, sent);
	}

	/** Sends the renewals held back so far. */
	void releaseHeld() {
		List<Runnable> all;
		synchronized (this.held) {
			all = new ArrayList<>(this.held);
			this.held.clear();
		}
		all.forEach(Runnable::run);
	}

	@Override
	public CompletableFuture<Void> ping() {
		return this.down ? CompletableFuture.failedFuture(new IllegalStateException("test outage"))
				: this.delegate.ping();
	}

	@Override
	public Duration commandTimeout() {
		return this.delegate.commandTimeout();
	}

	@Override
	public void close() {
		this.delegate.close();
	}

}
