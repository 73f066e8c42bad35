package dev.llmthrottle.test;

import dev.llmthrottle.test.clock.SimClock;
import dev.llmthrottle.test.engine.Admission;
import dev.llmthrottle.test.engine.Cost;
import dev.llmthrottle.test.engine.Enforcer;
import dev.llmthrottle.test.engine.RateSnapshot;
import dev.llmthrottle.test.engine.Ticket;
import dev.llmthrottle.test.dialect.ChatCall;
import dev.llmthrottle.test.dialect.ChatCallParser;
import dev.llmthrottle.test.dialect.Completion;
import dev.llmthrottle.test.dialect.CompletionText;
import dev.llmthrottle.test.dialect.HttpDates;
import dev.llmthrottle.test.dialect.InvalidRequestException;
import dev.llmthrottle.test.dialect.Reply;
import dev.llmthrottle.test.dialect.Wire;
import dev.llmthrottle.test.http.HttpRequest;
import dev.llmthrottle.test.http.HttpResponder;
import dev.llmthrottle.test.http.RequestHandler;
import dev.llmthrottle.test.stats.Outcomes;
import dev.llmthrottle.test.stats.StatsJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Serves one request: routes it, prices it, asks the {@link Enforcer}, and plays out the
 * admitted call (latency, streaming, output charged as produced, settlement, injected
 * faults) or writes the refusal. Every path records its outcome.
 */
final class ProviderHandler implements RequestHandler {

	private static final int CONTENT_EVENTS_PER_CHOICE = 16;

	private static final String[] GARBAGE = { "soon", "-3s", "1e3s", "3 s", "", "abc", "-1", "NaN", "5m-2s" };

	private final ProviderSettings settings;

	private final SimClock clock;

	private final Enforcer enforcer;

	private final Outcomes outcomes;

	private final Wire wire;

	private final ChatCallParser parser;

	private final CallPlanner planner;

	private final Supplier<String> statsJson;

	private final Runnable reset;

	private final AtomicLong sequence = new AtomicLong();

	/**
	 * Arrival delays, apart from the planner's source so that its draws stay the same.
	 */
	private final SplittableRandom arrivals;

	ProviderHandler(ProviderSettings settings, SimClock clock, Enforcer enforcer, Outcomes outcomes,
			Supplier<String> statsJson, Runnable reset) {
		this.settings = settings;
		this.clock = clock;
		this.enforcer = enforcer;
		this.outcomes = outcomes;
		this.wire = Wire.of(settings.dialect(), settings.roundAnthropicRemaining());
		this.parser = new ChatCallParser(settings.defaultMaxTokens());
		this.planner = new CallPlanner(settings, wire.defaultServerErrorStatuses());
		this.arrivals = new SplittableRandom(settings.seed() ^ 0xA7712A1L);
		this.statsJson = statsJson;
		this.reset = reset;
	}

	@Override
	public void handle(HttpRequest request, HttpResponder responder) throws IOException, InterruptedException {
		String path = request.path();
		if (path.equals("/stats") && request.method().equals("GET")) {
			admin(responder, 200, wrap(statsJson.get()));
		}
		else if (path.equals("/reset") && request.method().equals("POST")) {
			reset.run();
			admin(responder, 200, wrap("{\"reset\":true}"));
		}
		else if (path.equals("/health") && request.method().equals("GET")) {
			admin(responder, 200, wrap("{\"status\":\"ok\"}"));
		}
		else if (wire.serves(path) && request.method().equals("POST")) {
			chat(request, responder);
		}
		else {
			boolean known = wire.serves(path) || path.equals("/stats") || path.equals("/reset")
					|| path.equals("/health");
			int status = known ? 405 : 404;
			String message = status == 405 ? "Method " + request.method() + " not allowed for " + path + "."
					: "Unknown path " + path + " (this simulated provider speaks " + settings.dialect().key() + " at "
							+ settings.dialect().path() + ").";
			admin(responder, status, wire.clientError(status, message).body());
		}
	}

	private void chat(HttpRequest request, HttpResponder responder) throws IOException, InterruptedException {
		outcomes.received();
		long seq = sequence.incrementAndGet();
		ChatCall call;
		try {
			call = wire.parse(request.body(), parser);
		}
		catch (InvalidRequestException e) {
			Reply r = wire.clientError(400, e.getMessage());
			outcomes.rejected(r.kind());
			reply(responder, r, wire.idHeaders(seq));
			return;
		}
		CallPlan plan = planner.plan(call);
		if (settings.faults().quotaExhausted()) {
			Reply r = wire.quotaExhausted(clock.now());
			outcomes.rejected(r.kind());
			reply(responder, r, wire.idHeaders(seq));
			return;
		}
		Cost cost = wire.admissionCost(call);
		// the network's jitter on the way in: the enforcer stamps the request when it
		// arrives
		sleep(arrivalDelayNanos());
		Admission admission = enforcer.tryAdmit(cost, plan.plannedNanos());
		if (admission instanceof Admission.Admitted) {
			Ticket ticket = ((Admission.Admitted) admission).ticket();
			try {
				serve(responder, call, plan, ticket, seq);
			}
			finally {
				enforcer.complete(ticket);
			}
			return;
		}
		Instant decidedAt = clock.instant(admission.snapshot().nanoTime());
		Map<String, String> rateHeaders = rateHeaders(admission.snapshot(), decidedAt, plan);
		rateHeaders.putAll(wire.idHeaders(seq));
		Reply r;
		if (admission instanceof Admission.Throttled) {
			r = wire.throttled(call, (Admission.Throttled) admission, cost, settings.faults().hintStyle(), decidedAt,
					plan.retryAfterMs());
		}
		else if (admission instanceof Admission.TooLarge) {
			r = wire.tooLarge(call, (Admission.TooLarge) admission);
		}
		else {
			r = wire.saturated(call, (Admission.Saturated) admission, settings.faults().hintStyle(), decidedAt,
					plan.retryAfterMs());
		}
		outcomes.rejected(r.kind());
		reply(responder, r, rateHeaders);
	}

	private void serve(HttpResponder responder, ChatCall call, CallPlan plan, Ticket ticket, long seq)
			throws IOException, InterruptedException {
		if (plan.slowFirstByteNanos() > 0) {
			outcomes.fault("slow-first-byte");
			sleep(plan.slowFirstByteNanos());
		}
		Completion completion = plan.completion();
		if (plan.serverErrorStatus() != 0) {
			sleep(plan.firstTokenNanos());
			enforcer.settle(ticket, Cost.request(call.promptTokens(), 0));
			outcomes.fault("server-error");
			reply(responder, wire.serverError(plan.serverErrorStatus()), currentHeaders(plan, seq));
			return;
		}
		String id = wire.responseId(seq);
		Instant created = clock.now();
		if (!call.stream()) {
			sleep(plan.firstTokenNanos() + plan.perTokenNanos() * completion.completionTokens());
			if (!plan.reset() || wire.chargesOutputAsProduced()) {
				// a reset OpenAI response keeps its estimate, like an interrupted stream;
				// Anthropic output was produced
				finishAccounting(ticket, call, completion, 0);
			}
			byte[] body = wire.completionBody(call, completion, id, created);
			Map<String, String> headers = currentHeaders(plan, seq);
			headers.put("content-type", "application/json");
			if (plan.reset()) {
				outcomes.fault("connection-reset");
				responder.sendPartialThenReset(200, headers, body);
			}
			else {
				outcomes.responded(200);
				responder.send(200, headers, body);
			}
			return;
		}
		stream(responder, call, plan, ticket, seq, completion, id, created);
	}

	private void stream(HttpResponder responder, ChatCall call, CallPlan plan, Ticket ticket, long seq,
			Completion completion, String id, Instant created) throws IOException, InterruptedException {
		sleep(plan.firstTokenNanos());
		Map<String, String> headers = currentHeaders(plan, seq);
		headers.put("content-type", "text/event-stream; charset=utf-8");
		headers.put("cache-control", "no-cache");
		HttpResponder.ChunkedStream out = responder.stream(200, headers);
		outcomes.responded(200);
		out.write(wire.streamOpening(call, completion, id, created));
		long totalEvents = 0;
		for (long tokens : completion.choiceTokens()) {
			totalEvents += Math.min(tokens, CONTENT_EVENTS_PER_CHOICE);
		}
		long resetAfter = plan.reset() ? Math.max(1, totalEvents / 2) : Long.MAX_VALUE;
		long sent = 0;
		long produced = 0;
		long tokenIndex = 0;
		for (int choice = 0; choice < completion.choiceTokens().size(); choice++) {
			long tokens = completion.choiceTokens().get(choice);
			int events = (int) Math.min(tokens, CONTENT_EVENTS_PER_CHOICE);
			for (int e = 0; e < events; e++) {
				long count = tokens * (e + 1) / events - tokens * e / events;
				sleep(plan.perTokenNanos() * count);
				if (wire.chargesOutputAsProduced()) {
					enforcer.charge(ticket, Cost.output(count));
				}
				produced += count;
				String text = CompletionText.tokens(tokenIndex, count);
				out.write(wire.streamDelta(call, id, created, choice, e == 0 ? text.substring(1) : text));
				tokenIndex += count;
				if (++sent >= resetAfter) {
					outcomes.fault("connection-reset");
					out.reset();
					return;
				}
			}
			tokenIndex = 0;
			out.write(wire.streamChoiceEnd(call, completion, id, created, choice));
		}
		finishAccounting(ticket, call, completion, wire.chargesOutputAsProduced() ? produced : 0);
		out.write(wire.streamClosing(call, completion, id, created));
		out.finish();
	}

	/**
	 * Settles OpenAI reservations to actual usage, or charges Anthropic output not
	 * charged yet.
	 */
	private void finishAccounting(Ticket ticket, ChatCall call, Completion completion, long alreadyCharged) {
		if (wire.chargesOutputAsProduced()) {
			long rest = completion.completionTokens() - alreadyCharged;
			if (rest > 0) {
				enforcer.charge(ticket, Cost.output(rest));
			}
		}
		else {
			enforcer.settle(ticket, Cost.request(call.promptTokens(), completion.completionTokens()));
		}
	}

	private Map<String, String> currentHeaders(CallPlan plan, long seq) {
		RateSnapshot snapshot = enforcer.snapshot();
		Map<String, String> headers = rateHeaders(snapshot, clock.instant(snapshot.nanoTime()), plan);
		headers.putAll(wire.idHeaders(seq));
		return headers;
	}

	private Map<String, String> rateHeaders(RateSnapshot snapshot, Instant now, CallPlan plan) {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("date", HttpDates.httpDate(now));
		if (plan.missingHeaders()) {
			outcomes.fault("missing-headers");
			return headers;
		}
		Map<String, String> rate = wire.rateHeaders(snapshot, now);
		if (plan.malformedHeaders() && !rate.isEmpty()) {
			outcomes.fault("malformed-headers");
			SplittableRandom garbage = new SplittableRandom(plan.garbageSeed());
			rate.replaceAll((name, value) -> GARBAGE[garbage.nextInt(GARBAGE.length)]);
		}
		headers.putAll(rate);
		return headers;
	}

	private void reply(HttpResponder responder, Reply reply, Map<String, String> extra) throws IOException {
		Map<String, String> headers = new LinkedHashMap<>();
		if (!extra.containsKey("date")) {
			headers.put("date", HttpDates.httpDate(clock.now()));
		}
		headers.putAll(extra);
		headers.putAll(reply.headers());
		sendJson(responder, reply.status(), headers, reply.body());
	}

	private void sendJson(HttpResponder responder, int status, Map<String, String> headers, byte[] body)
			throws IOException {
		Map<String, String> all = new LinkedHashMap<>(headers);
		all.put("content-type", "application/json");
		outcomes.responded(status);
		responder.send(status, all, body);
	}

	/** Responses outside the chat endpoint: not part of the statistics. */
	private void admin(HttpResponder responder, int status, byte[] body) throws IOException {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("date", HttpDates.httpDate(clock.now()));
		headers.put("content-type", "application/json");
		responder.send(status, headers, body);
	}

	private static byte[] wrap(String json) {
		return json.getBytes(StandardCharsets.UTF_8);
	}

	/** {@code U[0, arrivalJitter)} from the arrival source, 0 when there is no jitter. */
	private long arrivalDelayNanos() {
		long bound = settings.latency().arrivalJitter().toNanos();
		if (bound <= 0) {
			return 0;
		}
		synchronized (arrivals) {
			return arrivals.nextLong(bound);
		}
	}

	private static void sleep(long nanos) throws InterruptedException {
		if (nanos > 0) {
			TimeUnit.NANOSECONDS.sleep(nanos);
		}
	}

}
