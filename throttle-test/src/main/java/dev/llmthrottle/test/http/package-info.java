/**
 * A small HTTP/1.1 server on a plain {@link java.net.ServerSocket}, written for the
 * simulated provider because it needs control the JDK's {@code com.sun.net.httpserver}
 * does not give: a real TCP reset (SO_LINGER 0) half-way through a response, and partial
 * writes. It supports keep-alive, fixed-length and chunked bodies in both directions,
 * {@code Expect: 100-continue}, and one thread per connection from a bounded pool. It
 * binds to loopback only.
 */
@NullMarked
package dev.llmthrottle.test.http;

import org.jspecify.annotations.NullMarked;
