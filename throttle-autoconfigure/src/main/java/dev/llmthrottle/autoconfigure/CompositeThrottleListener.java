package dev.llmthrottle.autoconfigure;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.ThrottleRejectedException;
import dev.llmthrottle.core.admission.PartitionLimitException;
import dev.llmthrottle.core.admission.ThrottleListener;

/**
 * The {@link ThrottleListener} the throttlers talk to: forwards every event to each other
 * {@code ThrottleListener} bean, in order, so that metrics and events plug in by
 * declaring a bean. The delegates are looked up once all singletons exist (so a listener
 * may itself depend on the throttlers without a cycle); a delegate that throws is logged
 * and does not disturb admission or the other delegates.
 */
public class CompositeThrottleListener implements ThrottleListener, SmartInitializingSingleton {

	private static final System.Logger logger = System.getLogger(CompositeThrottleListener.class.getName());

	private final ObjectProvider<ThrottleListener> candidates;

	private volatile List<ThrottleListener> delegates = List.of();

	public CompositeThrottleListener(ObjectProvider<ThrottleListener> candidates) {
		this.candidates = candidates;
	}

	/** Creates a composite of fixed delegates (for use without a bean factory). */
	public static CompositeThrottleListener of(List<ThrottleListener> delegates) {
		CompositeThrottleListener composite = new CompositeThrottleListener(null);
		composite.delegates = List.copyOf(delegates);
		return composite;
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (this.candidates != null) {
			this.delegates = this.candidates.orderedStream()
				.filter((listener) -> !(listener instanceof CompositeThrottleListener))
				.toList();
		}
	}

	/** The listeners events are forwarded to. */
	public List<ThrottleListener> delegates() {
		return this.delegates;
	}

	@Override
	public void admitted(String provider, String partition, Cost cost, long waitedNanos) {
		each((delegate) -> delegate.admitted(provider, partition, cost, waitedNanos));
	}

	@Override
	public void rejected(String provider, String partition, ThrottleRejectedException rejection) {
		each((delegate) -> delegate.rejected(provider, partition, rejection));
	}

	@Override
	public void partitionLimitReached(String provider, PartitionLimitException rejection) {
		each((delegate) -> delegate.partitionLimitReached(provider, rejection));
	}

	@Override
	public void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
		each((delegate) -> delegate.released(provider, partition, estimate, actual, sent));
	}

	@Override
	public void cooldown(String provider, String partition, Duration duration, String reason) {
		each((delegate) -> delegate.cooldown(provider, partition, duration, reason));
	}

	@Override
	public void rateLimited(String provider, String partition, String limitType, Duration hint) {
		each((delegate) -> delegate.rateLimited(provider, partition, limitType, hint));
	}

	@Override
	public void retried(String provider, String partition, int attempt, Duration backoff) {
		each((delegate) -> delegate.retried(provider, partition, attempt, backoff));
	}

	@Override
	public void limitLearned(String provider, String partition, Limit limit) {
		each((delegate) -> delegate.limitLearned(provider, partition, limit));
	}

	@Override
	public void quotaExhausted(String provider, String partition, String reason) {
		each((delegate) -> delegate.quotaExhausted(provider, partition, reason));
	}

	@Override
	public void backendDegraded(String provider, String reason) {
		each((delegate) -> delegate.backendDegraded(provider, reason));
	}

	/**
	 * Tells every delegate; one that throws is logged and does not stop the others or the
	 * caller.
	 */
	private void each(java.util.function.Consumer<ThrottleListener> call) {
		for (ThrottleListener delegate : this.delegates) {
			try {
				call.accept(delegate);
			}
			catch (RuntimeException ex) {
				failed(delegate, ex);
			}
		}
	}

	private static void failed(ThrottleListener delegate, RuntimeException ex) {
		if (logger.isLoggable(Level.WARNING)) {
			logger.log(Level.WARNING, "ThrottleListener " + delegate.getClass().getName() + " failed; event ignored",
					ex);
		}
	}

}
