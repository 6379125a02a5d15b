package souk.common.bus;

/** Event-bus addresses shared by every node. Defined here once; nothing else spells them. */
public final class Addresses {

  public static final String USER_SERVICE = "user-service";
  public static final String ORDER_SERVICE = "order-service";
  public static final String PAYMENT_SERVICE = "payment-service";

  /** Browsers watch {@code orders.updates.<userId>} through the bridge; order nodes publish there. */
  public static final String ORDER_UPDATES_PREFIX = "orders.updates.";

  private Addresses() {
  }

  /** The address only one node listens on, for pinging that node in particular. */
  public static String nodeAddress(String service, String nodeId) {
    return service + ".node." + nodeId;
  }

  public static String orderUpdates(String userId) {
    return ORDER_UPDATES_PREFIX + userId;
  }
}
