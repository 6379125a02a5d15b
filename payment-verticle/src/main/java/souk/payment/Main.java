package souk.payment;

import souk.common.bus.Addresses;
import souk.common.node.NodeLauncher;

/** Starts a clustered payment node: {@code java -jar payment-verticle/target/payment-verticle.jar}. */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) {
    NodeLauncher.run(Addresses.PAYMENT_SERVICE, "payment-node.json", PaymentVerticle::new);
  }
}
