/**
 * JUnit Jupiter support: start a {@link dev.llmthrottle.test.SimulatedProvider} for a
 * test and stop it afterwards, either declaratively with
 * {@link dev.llmthrottle.test.junit.SimulatedProviderTest} or programmatically with
 * {@link dev.llmthrottle.test.junit.SimulatedProviderExtension} and
 * {@code @RegisterExtension}.
 */
@NullMarked
package dev.llmthrottle.test.junit;

import org.jspecify.annotations.NullMarked;
