package souk.gateway.routing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.handler.BodyHandler;
import souk.gateway.aggregate.SummaryEndpoint;
import souk.gateway.auth.TokenEndpoint;
import souk.gateway.auth.Tokens;
import souk.gateway.http.Bearer;
import souk.gateway.http.Fallbacks;
import souk.gateway.http.RequestIds;
import souk.gateway.limit.RateLimiter;
import souk.gateway.limit.TrustedProxies;

import java.util.List;

/**
 * The gateway's request path in one Vert.x instance, on a free port: request ids, the API proxy over a fixed route
 * table, the token and summary endpoints and the problem fallbacks, wired as the gateway wires them. Services are
 * event-bus consumers the test registers on the same instance.
 */
public final class TestGateway {

  public static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";
  /** How long the gateway waits for a service (then 504), milliseconds. */
  public static final long TIMEOUT_MS = 600;
  /** How long the summary waits for an optional part, milliseconds. */
  public static final long PART_TIMEOUT_MS = 300;
  public static final int BODY_LIMIT = 1_024;

  private final Tokens tokens;
  private final HttpServer server;
  private final WebClient client;

  private TestGateway(Tokens tokens, HttpServer server, WebClient client) {
    this.tokens = tokens;
    this.server = server;
    this.client = client;
  }

  /** Listens on a free port; {@code routes} stands for what the services declared in discovery. */
  public static Future<TestGateway> start(Vertx vertx, RouteTable routes) {
    Tokens tokens = new Tokens(vertx, SECRET, 900);
    RouteDirectory directory = new RouteDirectory(vertx, null);
    directory.use(routes);
    // breakers that never open here: their own tests are in BreakersTest
    ServiceCaller caller = new ServiceCaller(vertx, directory,
      new Breakers(Integer.MAX_VALUE, 60_000, new SimpleMeterRegistry()));
    Bearer bearer = new Bearer(tokens);
    Router router = Router.router(vertx);
    router.route().handler(new RequestIds());
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
      .handler(new ApiProxy(directory, caller, bearer, TIMEOUT_MS));
    router.post(TokenEndpoint.PATH).handler(new TokenEndpoint(caller, tokens, TIMEOUT_MS,
      new RateLimiter("login", 100, 100, 100, System::nanoTime), TrustedProxies.of(List.of())));
    router.get(SummaryEndpoint.PATH).handler(new SummaryEndpoint(caller, bearer, TIMEOUT_MS, PART_TIMEOUT_MS));
    Fallbacks.install(router);
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
    return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
      .map(server -> new TestGateway(tokens, server, client));
  }

  public HttpRequest<Buffer> request(HttpMethod method, String path) {
    return client.request(method, server.actualPort(), "127.0.0.1", path);
  }

  /** An {@code Authorization} value for {@code userId}, signed as the gateway signs. */
  public String bearer(String userId) {
    return "Bearer " + tokens.issue(userId);
  }

  public Future<String> verify(String token) {
    return tokens.verify(token);
  }
}
