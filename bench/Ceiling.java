import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * The ceilings Souk is measured against, on the same machine in the same run:
 * {@code http PORT} is a trivial Vert.x HTTP server answering a small JSON document (one verticle per core), and
 * {@code proxy PORT TARGET} a minimal Vert.x HTTP-to-HTTP proxy in front of it (what a gateway hop costs with no
 * authentication, limiting or event bus). {@code bus-server CLUSTER_PORT PEER_PORT} and
 * {@code bus-front PORT CLUSTER_PORT PEER_PORT} are the same hop over Vert.x's clustered event bus: two JVMs in a
 * Hazelcast cluster of their own, an HTTP server that asks a consumer in the other JVM and writes its answer (what
 * the event bus alone costs a hop, with nothing of Souk's). Run from the repository root:
 * {@code java -cp gateway-verticle/target/gateway-verticle.jar bench/Ceiling.java http 18081}.
 */
public class Ceiling {

  private static final Buffer BODY = Buffer.buffer("{\"id\":\"00000000-0000-4000-8000-000000000000\",\"name\":\"Bench\"}");

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: Ceiling http PORT | Ceiling proxy PORT TARGET_PORT"
        + " | Ceiling bus-server CLUSTER_PORT PEER_PORT | Ceiling bus-front PORT CLUSTER_PORT PEER_PORT");
      System.exit(2);
    }
    int port = Integer.parseInt(args[1]);
    int cores = Runtime.getRuntime().availableProcessors();
    DeploymentOptions options = new DeploymentOptions().setInstances(cores);
    Future<String> deployed = switch (args[0]) {
      case "http" -> Vertx.vertx().deployVerticle(() -> new Server(port), options);
      case "proxy" -> Vertx.vertx().deployVerticle(() -> new Proxy(port, Integer.parseInt(args[2])), options);
      case "bus-server" -> clustered(port, Integer.parseInt(args[2]))
        .compose(vertx -> vertx.deployVerticle(BusServer::new, options));
      case "bus-front" -> clustered(Integer.parseInt(args[2]), Integer.parseInt(args[3]))
        .compose(vertx -> vertx.deployVerticle(() -> new BusFront(port), options));
      default -> Future.failedFuture("unknown mode " + args[0]);
    };
    deployed.onFailure(e -> {
      System.err.println("could not start: " + e.getMessage());
      System.exit(1);
    }).onSuccess(id -> System.out.println("listening on " + port));
  }

  static final class Server extends VerticleBase {
    private final int port;

    Server(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer().requestHandler(request -> request.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(BODY))
        .listen(port, "127.0.0.1");
    }
  }

  static final class Proxy extends VerticleBase {
    private final int port;
    private final int target;

    Proxy(int port, int target) {
      this.port = port;
      this.target = target;
    }

    @Override
    public Future<?> start() {
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(64));
      return vertx.createHttpServer().requestHandler(request -> client
          .request(new RequestOptions().setPort(target).setHost("127.0.0.1").setURI(request.uri())
            .setMethod(request.method()))
          .compose(outbound -> outbound.send())
          .compose(response -> response.body().map(body -> {
            request.response().setStatusCode(response.statusCode())
              .putHeader(HttpHeaders.CONTENT_TYPE, response.getHeader(HttpHeaders.CONTENT_TYPE)).end(body);
            return null;
          }))
          .onFailure(e -> request.response().setStatusCode(502).end()))
        .listen(port, "127.0.0.1");
    }
  }

  /** A Vert.x clustered with the one JVM on {@code peerPort}, on loopback, in a cluster of its own. */
  static Future<Vertx> clustered(int clusterPort, int peerPort) {
    Config config = new Config().setClusterName("souk-ceiling-" + Math.min(clusterPort, peerPort));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "none");
    config.getNetworkConfig().setPort(clusterPort).setPortAutoIncrement(false).getInterfaces().setEnabled(true)
      .addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + peerPort).addMember("127.0.0.1:" + clusterPort);
    return Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
      .withClusterManager(new HazelcastClusterManager(config))
      .buildClustered();
  }

  static final String BUS_ADDRESS = "ceiling.hop";

  static final class BusServer extends VerticleBase {
    @Override
    public Future<?> start() {
      return vertx.eventBus().<Buffer>consumer(BUS_ADDRESS, message -> message.reply(BODY)).completion();
    }
  }

  static final class BusFront extends VerticleBase {
    private static final Buffer ASK = Buffer.buffer("{}");
    private final int port;

    BusFront(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer().requestHandler(request -> vertx.eventBus().<Buffer>request(BUS_ADDRESS, ASK)
          .map(Message::body)
          .onSuccess(body -> request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body))
          .onFailure(e -> request.response().setStatusCode(502).end()))
        .listen(port, "127.0.0.1");
    }
  }
}
