package dev.llmthrottle.autoconfigure;

import java.util.concurrent.Executor;

import dev.llmthrottle.core.admission.PartitionState;
import dev.llmthrottle.core.admission.ThrottleListener;

/**
 * Where each provider's partition states live: the factory and the executor its
 * {@code ProviderThrottler} is built with. Without such a bean every provider keeps its
 * state in memory; the Redis auto-configuration contributes one for providers whose
 * {@code backend} is {@code redis}.
 */
@FunctionalInterface
public interface PartitionStateFactories {

	/** The backing of {@code provider}; {@link Backing#LOCAL} for in-memory state. */
	Backing resolve(ProviderDefinition provider, ThrottleListener listener);

	/**
	 * A provider's partition-state factory and the executor that remote states are called
	 * on.
	 *
	 * @param factory creates each partition's state
	 * @param executor where remote states block on I/O (never an event loop); unused for
	 * local states
	 */
	record Backing(PartitionState.Factory factory, Executor executor) {

		/** In memory, called in place. */
		public static final Backing LOCAL = new Backing(PartitionState.Factory.LOCAL, Runnable::run);

	}

}
