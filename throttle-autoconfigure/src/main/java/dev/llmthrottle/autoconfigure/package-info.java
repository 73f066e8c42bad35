/**
 * Spring Boot auto-configuration of the LLM throttles: {@code llm.throttle.*} properties,
 * their validation into provider definitions and policies (failing startup with every
 * problem named), the throttler registry and its support beans, and the failure analyzer
 * that explains a bad configuration.
 */
@NullMarked
package dev.llmthrottle.autoconfigure;

import org.jspecify.annotations.NullMarked;
