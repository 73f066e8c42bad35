/**
 * The OkHttp entry point: an {@code Interceptor} that runs every attempt of a call to a
 * configured provider through the call pipeline, as Spring AI 2.0's OpenAI and Anthropic
 * models (and the official SDKs' OkHttp clients) send them. Spring-free; OkHttp is an
 * optional dependency.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.okhttp;

import org.jspecify.annotations.NullMarked;
