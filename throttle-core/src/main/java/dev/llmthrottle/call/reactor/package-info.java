/**
 * The Reactor driver of the call pipeline ({@link dev.llmthrottle.call.reactor.ReactorCall}), in its own package
 * so that Reactor stays optional for the rest of the Spring-free code.
 */
@NullMarked
package dev.llmthrottle.call.reactor;

import org.jspecify.annotations.NullMarked;
