package dev.llmthrottle.core;

import java.util.Collection;

/**
 * No provider of that name is configured.
 */
public class UnknownProviderException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	public UnknownProviderException(String name, Collection<String> known) {
		super("No LLM provider named '" + name + "' is configured (llm.throttle.providers.*); known providers: "
				+ known);
	}

}
