package souk.it;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import souk.common.bus.Actions;
import souk.common.bus.Addresses;
import souk.common.bus.Headers;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A second node of a kind joins the running cluster and takes its share of the requests. */
class ScaleOutIT {

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster();

  @Test
  void a_second_user_node_joins_and_both_answer_pings() throws Exception {
    cluster.start(SoukCluster.USER);
    cluster.awaitStatus("/ready", code -> code == 200
      && cluster.answering("user-service") == 2, Duration.ofSeconds(60));

    // a client member of the same cluster sends pings to the shared address: Vert.x spreads them over both nodes
    Vertx member = cluster.joinAsMember("scale-out-client", 0);
    try {
      Set<String> answering = new HashSet<>();
      DeliveryOptions ping = new DeliveryOptions().addHeader(Headers.ACTION, Actions.PING).setSendTimeout(10_000);
      for (int i = 0; i < 20; i++) {
        Message<JsonObject> reply = member.eventBus().<JsonObject>request(Addresses.USER_SERVICE, new JsonObject(), ping)
          .await(15, TimeUnit.SECONDS);
        answering.add(reply.body().getString("nodeId"));
      }
      assertEquals(2, answering.size(), "both user nodes answered: " + answering);
    } finally {
      member.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_second_gateway_accepts_the_tokens_of_the_first_without_a_configured_secret() throws Exception {
    int secondPort = SoukCluster.freePort();
    cluster.start(SoukCluster.GATEWAY, SoukCluster.Host.LOCAL, Map.of("SOUK_HTTP_PORT", String.valueOf(secondPort)));
    Api.Account account = new Api(cluster).newAccount();

    // the second gateway still starting refuses the connection, then answers 404 or 503 until it knows the route
    HttpResponse<Buffer> viaSecond = Eventually.await("the second gateway answering for the user service",
      Duration.ofSeconds(60), Duration.ofMillis(500), () -> cluster.client().get(secondPort, "127.0.0.1",
        "/api/v1/users/me").bearerTokenAuthentication(account.token()).send().await(10, TimeUnit.SECONDS),
      answer -> answer.statusCode() != 404 && answer.statusCode() != 503);
    assertEquals(200, viaSecond.statusCode(), viaSecond.bodyAsString());
    assertEquals(account.id(), viaSecond.bodyAsJsonObject().getString("id"));
  }
}
