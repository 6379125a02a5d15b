package souk.common.bus;

/** Event-bus addresses shared by every node. Defined here once; nothing else spells them. */
public final class Addresses {

  public static final String USER_SERVICE = "user-service";
  public static final String ORDER_SERVICE = "order-service";
  public static final String PAYMENT_SERVICE = "payment-service";

  /**
   * Browsers watch {@code orders.updates.<userId>} through a gateway's bridge. Order nodes publish every update once,
   * on {@link #ORDER_UPDATES} with the user's id in the {@link Headers#USER_ID} header, and each gateway hands it to
   * its own browsers' per-user address: a per-user address seen by no one would otherwise cost a cluster-wide
   * subscription lookup at each publish.
   */
  public static final String ORDER_UPDATES_PREFIX = "orders.updates.";
  /** Where order nodes publish updates for the gateways; no browser may register here. */
  public static final String ORDER_UPDATES = "orders.updates";

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
