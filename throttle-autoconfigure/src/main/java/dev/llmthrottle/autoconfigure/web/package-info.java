/**
 * The HTTP entry points: a {@code WebClient} filter and a {@code RestClient} interceptor
 * that throttle calls to configured providers and listen to their answers, and their
 * auto-configurations.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.web;

import org.jspecify.annotations.NullMarked;
