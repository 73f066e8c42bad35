package dev.llmthrottle.autoconfigure;

/**
 * Where a provider's throttle state lives.
 */
public enum Backend {

	/** In this JVM: every instance has its own quota. */
	MEMORY,

	/**
	 * In Redis, shared by every instance using the same Redis and partition-key secret.
	 */
	REDIS

}
