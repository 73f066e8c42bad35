package dev.llmthrottle.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.ThrottleRejectedException;
import dev.llmthrottle.core.admission.ThrottleListener;

/**
 * The {@link ThrottleListener} the throttlers talk to: forwards every event to each other {@code ThrottleListener}
 * bean, in order, so that metrics and events plug in by declaring a bean. The delegates are looked up once all
 * singletons exist (so a listener may itself depend on the throttlers without a cycle); a delegate that throws is
 * logged and does not disturb admission or the other delegates.
 */
public class CompositeThrottleListener implements ThrottleListener, SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(CompositeThrottleListener.class);

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
		for (ThrottleListener delegate : this.delegates) {
			try {
				delegate.admitted(provider, partition, cost, waitedNanos);
			}
			catch (RuntimeException ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public void rejected(String provider, String partition, ThrottleRejectedException rejection) {
		for (ThrottleListener delegate : this.delegates) {
			try {
				delegate.rejected(provider, partition, rejection);
			}
			catch (RuntimeException ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
		for (ThrottleListener delegate : this.delegates) {
			try {
				delegate.released(provider, partition, estimate, actual, sent);
			}
			catch (RuntimeException ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public void cooldown(String provider, String partition, Duration duration, String reason) {
		for (ThrottleListener delegate : this.delegates) {
			try {
				delegate.cooldown(provider, partition, duration, reason);
			}
			catch (RuntimeException ex) {
				failed(delegate, ex);
			}
		}
	}

	private static void failed(ThrottleListener delegate, RuntimeException ex) {
		if (logger.isWarnEnabled()) {
			logger.warn("ThrottleListener " + delegate.getClass().getName() + " failed; event ignored", ex);
		}
	}

}
