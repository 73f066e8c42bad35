package dev.llmthrottle.bench.accuracy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.concurrent.Semaphore;

/**
 * Where most code starts: a semaphore for concurrency and no rate control. A 429 is
 * retried after the provider's {@code retry-after} (1 s when absent), up to
 * {@value #MAX_ATTEMPTS} attempts in all.
 */
final class NaiveClient implements BatchClient {

	static final int MAX_ATTEMPTS = 5;

	private final ChatHttp http;

	private final Semaphore concurrency;

	NaiveClient(URI chatUri, int maxConcurrent) {
		this.http = new ChatHttp(chatUri);
		this.concurrency = new Semaphore(maxConcurrent);
	}

	@Override
	public Outcome send(Call call) throws InterruptedException {
		this.concurrency.acquire();
		try {
			for (int attempt = 1;; attempt++) {
				HttpResponse<Void> response;
				try {
					response = this.http.post(call);
				}
				catch (IOException ex) {
					return Outcome.failed(ex);
				}
				if (response.statusCode() == 200) {
					return Outcome.OK;
				}
				if (response.statusCode() != 429 || attempt >= MAX_ATTEMPTS) {
					return Outcome.failed("HTTP " + response.statusCode());
				}
				Thread.sleep(ChatHttp.hintMillis(response).orElse(1000));
			}
		}
		finally {
			this.concurrency.release();
		}
	}

}
