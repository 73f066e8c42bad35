package dev.llmthrottle.test;

import dev.llmthrottle.test.config.CompletionLength;
import dev.llmthrottle.test.config.Faults;
import dev.llmthrottle.test.config.GoDuration;
import dev.llmthrottle.test.config.HintStyle;
import dev.llmthrottle.test.config.LatencyModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Parses the standalone flags ({@code --name=value}) into {@link ProviderSettings}. */
final class CommandLine {

	static final String HELP = String.join("\n", "Usage: java -jar llm-throttle-test-<version>-standalone.jar [flags]",
			"", "A simulated rate-limited LLM provider on 127.0.0.1. Stop it with Ctrl-C; it prints its stats.",
			"Endpoints: POST /v1/chat/completions (openai, azure; azure also /openai/deployments/<d>/chat/completions),",
			"           POST /v1/messages (anthropic), GET /stats, POST /reset, GET /health.", "",
			"  --port=N                  port on 127.0.0.1 (default 0: a free port, printed at start)",
			"  --dialect=D               openai | azure | anthropic (default openai)",
			"  --model=M                 token-bucket | sliding-window | fixed-window | quantized (default sliding-window)",
			"  --limit=DIM:AMOUNT/PERIOD a limit, repeatable; DIM = requests | tokens | input-tokens | output-tokens,",
			"                            PERIOD = Go duration (10s, 1m, 1h30m) or a bare unit (s, m, h, d)",
			"                            e.g. --limit=requests:50/10s --limit=tokens:20000/10s",
			"  --quantum=DUR             quantized model: request window (default 1s)",
			"  --max-concurrent=N        concurrency cap, 0 = none (default 0); excess gets 429 (openai, azure)",
			"                            or 529 overloaded_error (anthropic)",
			"  --latency=DUR             base latency, e.g. 50ms (default 0s)",
			"  --latency-per-token=DUR   added per output token, e.g. 2ms (default 0s)",
			"  --jitter=DUR              random extra latency in [0, DUR) (default 0s)",
			"  --arrival-jitter=DUR      random delay in [0, DUR) before a request reaches the enforcer (default 0s)",
			"  --default-max-tokens=N    output cap assumed when a request sets none (default 256)",
			"  --completion=MIN..MAX     completion length as fractions of max_tokens (default 0.25..1)",
			"  --seed=N                  seed of every random choice (default 0)",
			"  --server-errors=P[:S,..]  probability of a random 5xx after admission; statuses optional",
			"                            (default openai/azure 500,503; anthropic 500,529)",
			"  --connection-resets=P     probability of a TCP reset half-way through a response",
			"  --slow-first-byte=DUR[@P] extra delay before the first byte, with probability P (default 1)",
			"  --quota-exhausted         every request gets the dialect's out-of-quota 429, forever",
			"  --missing-headers=P       probability that a response has no rate-limit headers",
			"  --malformed-headers=P     probability that rate-limit header values are garbage",
			"  --hint=STYLE              429 hint form: seconds | http-date | past | huge | none (default seconds)",
			"  --noisy-neighbour=SHARE   an unseen client consumes SHARE (0..1) of every limit continuously",
			"  --exact-anthropic-remaining  do not round anthropic token remaining headers to the nearest 1,000",
			"  --help                    this text");

	/** A command line that cannot be understood. */
	static final class UsageException extends Exception {

		private static final long serialVersionUID = 1L;

		UsageException(String message) {
			super(message);
		}

	}

	private CommandLine() {
	}

	/** Whether the arguments ask for help. */
	static boolean wantsHelp(String[] args) {
		for (String arg : args) {
			if (arg.equals("--help") || arg.equals("-h")) {
				return true;
			}
		}
		return false;
	}

	static ProviderSettings parse(String[] args) throws UsageException {
		SimulatedProvider.Builder builder = SimulatedProvider.builder();
		Duration base = Duration.ZERO;
		Duration perToken = Duration.ZERO;
		Duration jitter = Duration.ZERO;
		Duration arrivalJitter = Duration.ZERO;
		Faults faults = Faults.none();
		List<String> errors = new ArrayList<>();
		for (String arg : args) {
			if (!arg.startsWith("--")) {
				throw new UsageException("Unexpected argument '" + arg + "'");
			}
			int eq = arg.indexOf('=');
			String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
			String value = eq < 0 ? null : arg.substring(eq + 1);
			try {
				switch (name) {
					case "port":
						builder.port(Integer.parseInt(required(name, value)));
						break;
					case "dialect":
						builder.dialect(required(name, value));
						break;
					case "model":
						builder.model(required(name, value));
						break;
					case "limit":
						builder.limit(required(name, value));
						break;
					case "quantum":
						builder.quantum(GoDuration.parse(required(name, value)));
						break;
					case "max-concurrent":
						builder.maxConcurrent(Integer.parseInt(required(name, value)));
						break;
					case "latency":
						base = GoDuration.parse(required(name, value));
						break;
					case "latency-per-token":
						perToken = GoDuration.parse(required(name, value));
						break;
					case "jitter":
						jitter = GoDuration.parse(required(name, value));
						break;
					case "arrival-jitter":
						arrivalJitter = GoDuration.parse(required(name, value));
						break;
					case "default-max-tokens":
						builder.defaultMaxTokens(Long.parseLong(required(name, value)));
						break;
					case "completion":
						builder.completionLength(completion(required(name, value)));
						break;
					case "seed":
						builder.seed(Long.parseLong(required(name, value)));
						break;
					case "server-errors":
						faults = serverErrors(faults, required(name, value));
						break;
					case "connection-resets":
						faults = faults.connectionResets(Double.parseDouble(required(name, value)));
						break;
					case "slow-first-byte":
						faults = slowFirstByte(faults, required(name, value));
						break;
					case "quota-exhausted":
						faults = faults.quotaExhausted(value == null || Boolean.parseBoolean(value));
						break;
					case "missing-headers":
						faults = faults.missingHeaders(Double.parseDouble(required(name, value)));
						break;
					case "malformed-headers":
						faults = faults.malformedHeaders(Double.parseDouble(required(name, value)));
						break;
					case "hint":
						faults = faults.hint(HintStyle.fromKey(required(name, value)));
						break;
					case "noisy-neighbour":
					case "noisy-neighbor":
						faults = faults.noisyNeighbour(Double.parseDouble(required(name, value)));
						break;
					case "exact-anthropic-remaining":
						builder.roundAnthropicRemaining(false);
						break;
					default:
						throw new UsageException("Unknown flag --" + name);
				}
			}
			catch (IllegalArgumentException e) {
				errors.add("--" + name + ": " + e.getMessage());
			}
		}
		if (!errors.isEmpty()) {
			throw new UsageException(String.join("\n", errors));
		}
		try {
			return builder.latency(new LatencyModel(base, perToken, jitter, arrivalJitter)).faults(faults).settings();
		}
		catch (IllegalArgumentException e) {
			throw new UsageException(e.getMessage());
		}
	}

	private static String required(String name, String value) {
		if (value == null || value.isEmpty()) {
			throw new IllegalArgumentException("needs a value (--" + name + "=...)");
		}
		return value;
	}

	private static CompletionLength completion(String value) {
		int dots = value.indexOf("..");
		if (dots < 0) {
			return CompletionLength.fraction(Double.parseDouble(value));
		}
		return new CompletionLength(Double.parseDouble(value.substring(0, dots)),
				Double.parseDouble(value.substring(dots + 2)));
	}

	private static Faults serverErrors(Faults faults, String value) {
		int colon = value.indexOf(':');
		double p = Double.parseDouble(colon < 0 ? value : value.substring(0, colon));
		if (colon < 0) {
			return faults.serverErrors(p);
		}
		String[] parts = value.substring(colon + 1).split(",");
		Integer[] statuses = new Integer[parts.length];
		for (int i = 0; i < parts.length; i++) {
			statuses[i] = Integer.parseInt(parts[i].trim());
		}
		return faults.serverErrors(p, statuses);
	}

	private static Faults slowFirstByte(Faults faults, String value) {
		int at = value.indexOf('@');
		Duration delay = GoDuration.parse(at < 0 ? value : value.substring(0, at));
		double p = at < 0 ? 1 : Double.parseDouble(value.substring(at + 1));
		return faults.slowFirstByte(delay, p);
	}

}
