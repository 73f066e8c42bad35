package dev.llmthrottle.autoconfigure;

import java.util.List;

/**
 * Clients an adapter finds while the context starts (client beans it wraps, or leaves
 * alone because no provider covers them), contributed as a bean so that the startup
 * report lists them next to the {@link ThrottledClient} beans. Read once the singletons
 * are created.
 */
@FunctionalInterface
public interface ThrottledClients {

	/** The clients found so far. */
	List<ThrottledClient> clients();

}
