package dev.llmthrottle.sample.demo;

import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.llmthrottle.sample.client.Prompt;

/**
 * {@code GET /demo/blocking}, {@code /demo/mono} and {@code /demo/stream} (server-sent
 * events), each with an optional {@code q} (the question) and {@code max_tokens}.
 */
@RestController
public class DemoController {

	private final DemoCalls calls;

	public DemoController(DemoCalls calls) {
		this.calls = calls;
	}

	@GetMapping("/demo/blocking")
	public Mono<String> blocking(@RequestParam(defaultValue = "Say hello in five words.") String q,
			@RequestParam(name = "max_tokens", defaultValue = "32") int maxTokens) {
		// the blocking call runs on a thread meant for blocking, not on the event loop
		return Mono.fromCallable(() -> this.calls.blocking(prompt("blocking", q, maxTokens)))
			.subscribeOn(Schedulers.boundedElastic());
	}

	@GetMapping("/demo/mono")
	public Mono<String> mono(@RequestParam(defaultValue = "Say hello in five words.") String q,
			@RequestParam(name = "max_tokens", defaultValue = "32") int maxTokens) {
		return this.calls.mono(prompt("mono", q, maxTokens));
	}

	@GetMapping(path = "/demo/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	public Flux<String> stream(@RequestParam(defaultValue = "Tell me a very short story.") String q,
			@RequestParam(name = "max_tokens", defaultValue = "64") int maxTokens) {
		return this.calls.stream(prompt("stream", q, maxTokens));
	}

	static Prompt prompt(String id, String question, int maxTokens) {
		return new Prompt(id, "demo", maxTokens, List.of(new Prompt.Message("user", question)));
	}

}
