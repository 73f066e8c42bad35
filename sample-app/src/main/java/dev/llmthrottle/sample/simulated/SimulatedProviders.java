package dev.llmthrottle.sample.simulated;

import java.util.Map;
import java.util.Optional;

import org.springframework.beans.factory.DisposableBean;

import dev.llmthrottle.test.SimulatedProvider;

/**
 * The simulated providers running in this process, by the name of the configured provider
 * they stand in for. A bean, so the batch can read their evidence; stopped when the
 * context closes (or fails to start).
 */
public final class SimulatedProviders implements DisposableBean {

	/**
	 * Bean name under which {@link SimulatedProviderInitializer} registers the instance.
	 */
	public static final String BEAN_NAME = "simulatedProviders";

	private final Map<String, SimulatedProvider> byName;

	SimulatedProviders(Map<String, SimulatedProvider> byName) {
		this.byName = Map.copyOf(byName);
	}

	/** The simulator standing in for {@code provider}, if there is one. */
	public Optional<SimulatedProvider> get(String provider) {
		return Optional.ofNullable(this.byName.get(provider));
	}

	/** Every simulator, by provider name. */
	public Map<String, SimulatedProvider> all() {
		return this.byName;
	}

	@Override
	public void destroy() {
		this.byName.values().forEach(SimulatedProvider::close);
	}

}
