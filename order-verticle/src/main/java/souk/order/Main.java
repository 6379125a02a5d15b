package souk.order;

import souk.common.bus.Addresses;
import souk.common.node.NodeLauncher;

/** Starts a clustered order node: {@code java -jar order-verticle/target/order-verticle.jar}. */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) {
    NodeLauncher.run(Addresses.ORDER_SERVICE, "order-node.json", OrderVerticle::new);
  }
}
