package souk.user;

import souk.common.bus.Addresses;
import souk.common.node.NodeLauncher;

/** Starts a clustered user node: {@code java -jar user-verticle/target/user-verticle.jar}. */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) {
    NodeLauncher.run(Addresses.USER_SERVICE, "user-node.json", UserVerticle::new);
  }
}
