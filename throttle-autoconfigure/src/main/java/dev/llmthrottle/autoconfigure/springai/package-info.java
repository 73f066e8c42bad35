/**
 * Spring AI 2.0: the OkHttp interceptor added to every OpenAI and Anthropic model's HTTP
 * client through Spring AI's builder customizers, and the clients' entries in the startup
 * report.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.springai;

import org.jspecify.annotations.NullMarked;
