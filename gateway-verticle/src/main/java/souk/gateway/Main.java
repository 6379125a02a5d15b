package souk.gateway;

import souk.common.node.NodeLauncher;

/** Starts a clustered gateway node: {@code java -jar gateway-verticle/target/gateway-verticle.jar}. */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) {
    NodeLauncher.run(GatewayConfig.SERVICE, "gateway-node.json", GatewayVerticle::new);
  }
}
