/**
 * The Reactor driver of the call pipeline ({@link dev.llmthrottle.call.reactor.ReactorCall}), in its own package
 * so that Reactor stays optional for the rest of the Spring-free code.
 */
package dev.llmthrottle.call.reactor;
