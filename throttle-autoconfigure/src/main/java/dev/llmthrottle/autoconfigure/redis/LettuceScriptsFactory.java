package dev.llmthrottle.autoconfigure.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.ssl.SslBundle;

import dev.llmthrottle.core.redis.LettuceRedisScripts;

/**
 * Builds the throttle's own Lettuce client from the application's Redis connection
 * details ({@code spring.data.redis.*}: standalone, sentinel or cluster, credentials, SSL
 * bundle).
 *
 * <p>
 * Why not the application's {@code LettuceConnectionFactory}: client options belong to
 * the client, and a limiter needs options a cache does not (reject commands while
 * disconnected, replay nothing, bounded queue, a timeout on every command). Changing them
 * on the shared client would change them for the whole application; a client of our own,
 * on the same {@link ClientResources} (event loops) when the application has them, costs
 * one connection.
 */
final class LettuceScriptsFactory {

	private LettuceScriptsFactory() {
	}

	static LettuceRedisScripts create(DataRedisConnectionDetails details, ClientResources resources, Duration timeout) {
		ClientOptions options = withSsl(LettuceRedisScripts.clientOptions(timeout), details.getSslBundle());
		if (details.getMasterReplica() != null) {
			throw new IllegalStateException("llm.throttle: the Redis backend supports standalone, sentinel and "
					+ "cluster connections, not static master/replica");
		}
		if (details.getCluster() != null) {
			List<RedisURI> nodes = new ArrayList<>();
			for (DataRedisConnectionDetails.Node node : details.getCluster().getNodes()) {
				nodes.add(authenticated(RedisURI.builder().withHost(node.host()).withPort(node.port()), details,
						timeout));
			}
			RedisClusterClient client = (resources != null) ? RedisClusterClient.create(resources, nodes)
					: RedisClusterClient.create(nodes);
			client.setOptions(ClusterClientOptions.builder(options).build());
			return LettuceRedisScripts.cluster(client, timeout, true);
		}
		RedisURI uri;
		if (details.getSentinel() != null) {
			DataRedisConnectionDetails.Sentinel sentinel = details.getSentinel();
			RedisURI.Builder builder = RedisURI.builder().withSentinelMasterId(sentinel.getMaster());
			for (DataRedisConnectionDetails.Node node : sentinel.getNodes()) {
				builder.withSentinel(node.host(), node.port());
			}
			uri = authenticated(builder.withDatabase(sentinel.getDatabase()), details, timeout);
		}
		else {
			DataRedisConnectionDetails.Standalone standalone = (details.getStandalone() != null)
					? details.getStandalone() : DataRedisConnectionDetails.Standalone.of("localhost", 6379);
			uri = authenticated(RedisURI.builder()
				.withHost(standalone.getHost())
				.withPort(standalone.getPort())
				.withDatabase(standalone.getDatabase()), details, timeout);
		}
		RedisClient client = (resources != null) ? RedisClient.create(resources, uri) : RedisClient.create(uri);
		client.setOptions(options);
		return LettuceRedisScripts.standalone(client, uri, timeout, true);
	}

	private static RedisURI authenticated(RedisURI.Builder builder, DataRedisConnectionDetails details,
			Duration timeout) {
		builder.withTimeout(timeout).withSsl(details.getSslBundle() != null);
		if (details.getPassword() != null) {
			if (details.getUsername() != null) {
				builder.withAuthentication(details.getUsername(), details.getPassword());
			}
			else {
				builder.withPassword(details.getPassword().toCharArray());
			}
		}
		return builder.build();
	}

	private static ClientOptions withSsl(ClientOptions options, SslBundle bundle) {
		if (bundle == null) {
			return options;
		}
		SslOptions ssl = SslOptions.builder()
			.jdkSslProvider()
			.keyManager(bundle.getManagers().getKeyManagerFactory())
			.trustManager(bundle.getManagers().getTrustManagerFactory())
			.build();
		return options.mutate().sslOptions(ssl).build();
	}

}
