/**
 * The annotation applications put on their own methods:
 * {@link dev.llmthrottle.annotation.LlmThrottled} keeps each call inside a configured
 * provider's limits. Implemented by an advisor in
 * {@code dev.llmthrottle.autoconfigure.aop}; this package holds only the contract.
 */
@NullMarked
package dev.llmthrottle.annotation;

import org.jspecify.annotations.NullMarked;
